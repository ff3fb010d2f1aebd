"""The ``fresh5`` set of the conversational update benchmark: a fifth blind check.

Written on 2026-12-03 (session 6) by an engineer who had not read the extractor or the
recall code (``engramdb.text``, ``engramdb.write``, ``engramdb.recall``,
``engramdb.lifecycle``) nor the sentences of ``dev``, ``heldout`` or ``fresh`` to
``fresh4`` (only their data structure and the generator); never used to tune anything,
and the engineers changing the extractor or recall do not read it. Six personas with
lives unlike the earlier sets' (a tram driver who learned English as an adult, a
wedding photographer who dictates by voice, a patent attorney who writes in fragments,
a pastry baker who mentions changes inside requests, a zookeeper whose changes mostly
follow from what he says, a software tester whose family sometimes types for her),
each with lines about that life in the chit-chat (``LIVES``) and home / employer / job
values that fit it (``PERSONA_VALUES``).

The statement templates of each attribute mix six ways of talking to an assistant,
whoever the persona is: non-native English (dropped articles, wrong tenses); long
voice-dictated turns without punctuation with the value in the middle of a request;
terse professional notes; a change mentioned only in passing inside a request about
something else; a change implied by what follows from it; a correction told by
someone else in the third person. Old values are echoed sessions later; distractors
hold values of the same kinds for other people and for what-ifs. Each question slot
holds several phrasings (current, before, when); the generator picks one per question.

Placeholders: ``{v}`` the value, ``{old}`` the value before, ``{n}`` the persona,
``{new}`` (questions) the value after the change.
"""

from __future__ import annotations

from ._update_world import ATTRS

__all__ = ["ATTRS", "DISTRACTORS", "DISTRACTOR_SHARE", "ECHOES", "FILLER", "LIVES",
           "PERSONAS", "PERSONA_VALUES", "PHRASES", "QUESTIONS", "REPLIES", "SLOTTED",
           "UNANSWERABLE", "VALUES"]

SLOTTED = True  # distractors are filled per attribute, avoiding the persona's own values
DISTRACTOR_SHARE = 0.45

#: values for attributes a persona has none of its own for, and for distractors
VALUES: dict[str, tuple[str, ...]] = {
    "location": ("Gdynia", "Bilbao", "Oulu", "Bendigo", "Lethbridge", "Tbilisi",
                 "Kalispell", "Fremantle", "Plovdiv", "Valparaiso"),
    "employer": ("Marrowbone Foods", "Greyling Insurance", "Tessellate Labs",
                 "Harbourline Ferries", "Pinecrest Clinic", "Ambermoor Hotels",
                 "Fathom Metrics", "Corvid Security"),
    "job": ("stonemason", "midwife", "pilates instructor", "customs officer", "bookbinder",
            "harbour pilot", "tax inspector", "wind turbine technician"),
    "partner": ("Eberhard", "Ximena", "Radomir", "Oonagh", "Nokuthula", "Caspian", "Margit",
                "Emeka", "Annelie", "Joaquin", "Birgitta", "Oyelaran"),
    "pet": ("axolotl", "cockatiel", "bearded dragon", "ferret", "Maine Coon", "guinea pig",
            "tortoise", "corn snake", "Shiba Inu", "budgie"),
    "diet": ("renal diet", "alkaline diet", "lacto-ovo vegetarian", "halal", "Mediterranean diet",
             "intermittent fasting", "DASH diet", "Ayurvedic diet"),
    "hobby": ("canyoning", "blacksmithing", "fencing", "Argentine tango", "competitive Scrabble",
              "dry-stone walling", "marquetry", "lino printing", "sea swimming"),
    "plan": ("walking the Camino", "a sabbatical in Patagonia", "a night course in accounting",
             "buying a narrowboat", "a glider licence", "opening a food truck",
             "learning Icelandic", "a cycling tour of Vietnam"),
    "rent": ("1,340", "1,615", "1,790", "2,080", "1,455", "1,925", "2,210"),
    "salary": ("71,500", "88,000", "64,250", "93,700", "102,000", "58,900", "79,400"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "fresh5": ("Wojciech", "Priyanka", "Anselm", "Mirela", "Tobiah", "Ifeoma"),
}

#: home, employer and job values that fit each life (drawn instead of ``VALUES``)
PERSONA_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "Wojciech": {"location": ("Salford", "Stockport", "Oldham"),
                 "employer": ("Kestrel Rail Services", "Northgate Transit",
                              "Bluewater Light Rail"),
                 "job": ("tram driver", "depot supervisor", "network controller")},
    "Priyanka": {"location": ("Leicester", "Loughborough", "Market Harborough"),
                 "employer": ("Lumen and Lace Studio", "Brightframe Photography",
                              "Oakridge Print House"),
                 "job": ("wedding photographer", "studio manager", "photo retoucher")},
    "Anselm": {"location": ("Zurich", "Basel", "Lucerne"),
               "employer": ("Halvorsen Brandt LLP", "Quillfeather Partners",
                            "Vantor Robotics"),
               "job": ("patent attorney", "senior associate", "in-house IP counsel")},
    "Mirela": {"location": ("Mechelen", "Leuven", "Hasselt"),
               "employer": ("Crumb and Kettle", "Sunrise Patisserie", "Hollowell Hotel Group"),
               "job": ("pastry baker", "bakery supervisor", "cake decorator")},
    "Tobiah": {"location": ("Two Harbors", "Bemidji", "Grand Marais"),
               "employer": ("Riverbend Wildlife Park", "Coldwater Aquarium",
                            "Saltmarsh Nature Reserve"),
               "job": ("zookeeper", "senior keeper", "aquarist")},
    "Ifeoma": {"location": ("Fredericton", "Saint John", "Sackville"),
               "employer": ("Pixelforge Games", "Tidewater Bank", "Cobaltline Logistics"),
               "job": ("software tester", "QA lead", "release manager")},
}

# (first statements, changes); one of each kind of speaker per attribute, roughly in
# this order: non-native, voice-dictated, terse, in passing, implied, third person
_LOCATION = ((
    "hello, I am living in {v} now three years, my english is not so perfect so sorry "
    "for the mistakes",
    "ok so this is my first time using this thing um home is {v} by the way and I wanted to "
    "ask you about the bin days because I always forget which week is recycling and which "
    "week is the green one",
    "Context for future requests: based in {v}.",
    "Can you find me a dry cleaner that opens early? Near home, which is {v}.",
    "my neighbour here in {v} keeps parking across my driveway, how do I write a polite "
    "note that still makes the point",
), (
    "we are moving finally! from {old} to {v}, contract is signed yesterday, everything is "
    "in boxes",
    "so the big news is we did it we actually moved we are in {v} now and honestly I do not "
    "miss {old} at all except maybe the bakery on the corner anyway can you help me work "
    "out the bus routes",
    "Address change: {v}. Update records.",
    "Could you recalculate my fuel costs? The drive to work starts in {v} now instead of "
    "{old}.",
    "the commute from {v} is brutal, I leave before six and I am still late",
    "My husband reads these over my shoulder and says I never told you: {n} does not live "
    "in {old} anymore, it has been {v} since spring.",
))

_EMPLOYER = ((
    "I am working for {v}, is good company, people are friendly but the canteen is terrible",
    "so work stuff I am at {v} and it is fine mostly it is fine except the printer which "
    "hates me personally and I need help writing an email to IT about it",
    "Employer: {v}. Keep emails formal.",
    "Draft me an out-of-office reply? Sign it off with {v} as the company name.",
), (
    "I change the job! From Monday I am in {v}, no more {old}, I am little nervous",
    "ok so I handed in my notice at {old} and I start at {v} in two weeks and I have no "
    "idea what to wear on the first day can you help",
    "Left {old}. Now at {v}. Update the signature block.",
    "Can you update my LinkedIn headline? The company should read {v}, not {old}.",
    "first week with the {v} lanyard and I already got lost looking for the lifts",
    "I'm {n}'s flatmate, typing because their hands are full: they work for {v} now, "
    "not {old}.",
))

_JOB = ((
    "my work is {v}, I do this since long time, is not easy but I like it",
    "so yeah I am a {v} which means my days are all over the place and I was hoping you "
    "could help me plan lunches that survive a whole day in a bag",
    "Role: {v}. Tailor suggestions accordingly.",
    "Write a short bio for a conference badge: {n}, {v}, runs on coffee.",
), (
    "they promote me! now I am {v}, before I was only {old}, my mother is very proud",
    "so remember how I was a {old} well not anymore they made me {v} last week which is "
    "great but also means meetings like so many meetings",
    "New title: {v}. Effective immediately.",
    "Can you rewrite my CV summary? The top line needs to say {v} instead of {old}.",
    "first week as a {v} and already everybody brings me their problems",
    "My wife asked me to pass this on for the record: {n} is a {v} now, no longer a {old}.",
))

_PARTNER = ((
    "my girlfriend {v} is from other country also, we speak english together so it helps "
    "me to practise",
    "my partner {v} says I talk to you more than to them which is probably true anyway can "
    "you suggest somewhere nice for dinner on friday",
    "Partner: {v}. Include on weekend calendar invites.",
    "Remind me to pick up my boyfriend {v} from the station on Friday, he hates waiting.",
), (
    "I am with new person now, {v}, the thing with {old} is finished, is better this way",
    "so {old} and I split up in the summer it was mutual ish and now I am seeing {v} who is "
    "the funniest person I have ever met and I need gift ideas",
    "Relationship update. Partner is now {v}.",
    "Book a table for two on Saturday, for me and {v}; the old notes still say {old}, "
    "ignore those.",
    "{v} moved a toothbrush into my bathroom last weekend, so I guess it is official",
    "My mum typed this for me last time and got it wrong: {n} is dating {v}, not {old}.",
))

_PET = ((
    "we have a {v} at home, very funny animal, the children love",
    "oh and there is a {v} in the house who is currently sitting on my keyboard so if I "
    "type weird that is why",
    "Household: one {v}. Factor into travel plans.",
    "What human foods are dangerous for a {v}? Mine gets into everything.",
), (
    "we adopt a {v} from the shelter last week, the {old} went to my parents in the village",
    "so the {old} passed away in the winter which was awful and we waited a while but now "
    "we have got a {v} and it is chaos",
    "Pet update: {v} now. The {old} was rehomed.",
    "Find me a vet that treats a {v}? Not the one we used for the {old}.",
    "the {v} has worked out how to open the kitchen cupboards, help",
    "My son insists I tell you: {n}'s pet is a {v} now, the {old} went to live with grandma.",
))

_DIET = ((
    "I am eating {v} because of the doctor, is hard for me with our traditional food",
    "so I do {v} just so you know when you suggest recipes and I mean properly not like "
    "cheating on weekends well sometimes on weekends",
    "Dietary constraint: {v}.",
    "Plan my groceries for the week, {v} rules apply.",
), (
    "now I go {v}, before I try {old} but was not working for me",
    "I gave up on {old} it was making me miserable honestly and a friend got me into {v} "
    "and I feel way better so can you redo my meal plan",
    "Diet changed to {v}. Drop the {old} constraint.",
    "Can you fix the shopping list? I have been following {v} since last month.",
    "reading every label since starting {v} is exhausting",
    "Note from {n}'s partner: the {old} thing is over, {n} follows {v} now.",
))

_HOBBY = ((
    "in free time I do {v}, my friends think is crazy hobby",
    "weekends are all about {v} for me it is the only thing that switches my brain off and "
    "I was wondering if you know any good books about it",
    "Hobby: {v}. Weekend mornings blocked for it.",
    "Find me a club for {v} near home, something friendly for beginners.",
), (
    "I stop with {old}, too expensive, now I do {v} with my colleague",
    "so {old} kind of fizzled out I just stopped going and now I am completely obsessed "
    "with {v} like I watch videos about it at two in the morning",
    "Dropped {old}. Taken up {v}.",
    "Clear my Saturday mornings for {v}; the {old} slot can go.",
    "my forearms are killing me after {v} on Sunday",
    "{n}'s dad here, borrowing the account: tell the kid {v} is a better hobby than {old} "
    "ever was.",
))

_PLAN = ((
    "my big plan for next year is {v}, I am saving money already",
    "so the dream the actual plan I mean is {v} and I have been putting money aside for it "
    "every month since january",
    "Objective for next year: {v}.",
    "Make me a savings tracker; the goal is {v}.",
), (
    "I change my plan, no more {old}, now I think {v} is better idea",
    "ok forget {old} that is off the table the new plan is {v} and I am weirdly excited "
    "about it can you help me make a checklist",
    "Plan revised: {v}. Previous plan shelved.",
    "Retitle the savings tracker to {v}, please; {old} is not happening.",
    "My brother keeps asking so let me say it here too: {n}'s plan is {v} now, not {old}.",
))

_RENT = ((
    "for my flat I pay {v} each month, for this city is normal",
    "rent is {v} a month which sounds fine until you add the heating and the internet and "
    "suddenly I am eating toast for dinner",
    "Fixed costs: rent {v}/month.",
    "Help me set up a budget; rent is {v} a month, the rest is flexible.",
), (
    "landlord change the rent with new lease, now {v}, before was {old}, is crazy",
    "so the landlord sent the letter and from next month it is {v} instead of {old} which I "
    "mean I knew something was coming but still",
    "Rent now {v}. Previously {old}.",
    "Please rework the monthly budget with the rent line at {v} instead of {old}.",
    "after the {v} for rent goes out on the first I have almost nothing left",
))

_SALARY = ((
    "my salary is {v} per year, is not so much but ok",
    "I make {v} a year before tax which I think is under market but I am not great at "
    "negotiating can you help me prepare",
    "Comp: {v} base.",
    "Estimate my take-home pay on {v} a year, single filer.",
), (
    "the new contract is come, now I get {v} instead of {old}",
    "so with the new contract it is {v} now instead of {old} after like three rounds of "
    "negotiating",
    "Salary revised: {v}.",
    "Redo my tax estimate with {v} as the annual figure, not {old}.",
    "With {v} a year coming in now, could you suggest how much to put into savings?",
    "{n}'s spouse speaking: the pay is {v} now, it was {old}, and {n} is too modest to say.",
))

PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {"fresh5": {
    "location": _LOCATION, "employer": _EMPLOYER, "job": _JOB, "partner": _PARTNER,
    "pet": _PET, "diet": _DIET, "hobby": _HOBBY, "plan": _PLAN, "rent": _RENT,
    "salary": _SALARY,
}}

#: passing mentions of a value that changed in an earlier session
ECHOES: dict[str, tuple[str, ...]] = {
    "location": ("found a parking ticket from {old} in the glovebox, feels like a lifetime ago",
                 "still getting junk mail forwarded from {old}, how do I stop it"),
    "employer": ("ran into an old colleague from {old} at the supermarket, awkward small talk",),
    "job": ("back when I was a {old} I never had this much paperwork",),
    "partner": ("saw {old} at a friend's party, it was fine, we said hello",),
    "pet": ("found one of the old {old} toys under the sofa today, made me a bit sad",),
    "diet": ("my friend still thinks I am doing {old} and keeps sending me recipes for it",),
    "hobby": ("sold my {old} gear online today, got a decent price for it",),
    "plan": ("someone asked me about {old} today and I had to explain we dropped it",),
    "rent": ("when I was paying {old} I thought that was bad, ha",),
    "salary": ("funny to think I was on {old} not that long ago",),
}

QUESTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "location": (("Where does {n} live now?", "What city is {n} based in these days?",
                  "Which town is {n}'s home at the moment?"),
                 ("Where did {n} live before {new}?",
                  "Which city was {n}'s home prior to moving to {new}?"),
                 ("When did {n} move to {new}?", "At what point did {n} relocate to {new}?")),
    "employer": (("Who is {n}'s employer?", "Which company does {n} work for now?",
                  "Where is {n} employed at present?"),
                 ("Which company did {n} work for before {new}?",
                  "Who employed {n} prior to {new}?"),
                 ("When did {n} start at {new}?", "When did {n} switch jobs to {new}?")),
    "job": (("What is {n}'s job title?", "What does {n} do for a living these days?",
             "What position does {n} hold now?"),
            ("What job did {n} have before the {new} role?",
             "What was {n}'s title prior to {new}?"),
            ("When did {n} take on the {new} role?", "When was {n} made {new}?")),
    "partner": (("Who is {n}'s partner?", "Who is {n} with these days?",
                 "Who is {n} dating at the moment?"),
                ("Who was {n}'s partner before {new}?", "Who was {n} seeing prior to {new}?"),
                ("When did {n} get together with {new}?",
                 "When did {new} become {n}'s partner?")),
    "pet": (("What pet does {n} have?", "What animal lives with {n} right now?",
             "What kind of pet is in {n}'s home?"),
            ("What pet did {n} have before the {new}?",
             "Which animal did {n} keep prior to the {new}?"),
            ("When did {n} get the {new}?", "When did the {new} join {n}'s household?")),
    "diet": (("What diet does {n} follow?", "How does {n} eat these days?",
              "What is {n}'s current diet?"),
             ("What diet was {n} on before {new}?",
              "How did {n} eat before switching to {new}?"),
             ("When did {n} go {new}?", "When did {n} switch to {new}?")),
    "hobby": (("What is {n}'s hobby?", "What does {n} do in their free time now?",
               "What is {n} into these days?"),
              ("What hobby did {n} have before {new}?",
               "What did {n} do for fun prior to {new}?"),
              ("When did {n} take up {new}?", "When did {n} get into {new}?")),
    "plan": (("What is {n} planning?", "What is {n}'s big plan at the moment?",
              "What goal is {n} saving for?"),
             ("What was {n}'s plan before {new}?",
              "What did {n} intend to do before settling on {new}?"),
             ("When did {n} decide on {new}?", "When did {n} switch plans to {new}?")),
    "rent": (("How much rent does {n} pay?", "What is {n}'s monthly rent now?",
              "What does {n}'s place cost per month?"),
             ("What was {n}'s rent before it became {new}?",
              "How much did {n} pay in rent prior to {new}?"),
             ("When did {n}'s rent change to {new}?",
              "When did {n} start paying {new} in rent?")),
    "salary": (("What is {n}'s salary?", "How much does {n} earn a year?",
                "What is {n} paid now?"),
               ("What did {n} earn before {new}?", "What was {n}'s salary prior to {new}?"),
               ("When did {n}'s salary go to {new}?", "When did {n}'s pay become {new}?")),
}

#: never said in any turn (a test checks the words below never appear)
UNANSWERABLE = ("Does {n} have a sister?", "When is {n}'s birthday?",
                "What is {n}'s favourite dessert?", "Which religion does {n} practise?",
                "What TV series is {n} watching?", "When did {n} graduate?",
                "Which political party does {n} support?", "What is {n}'s lucky number?")

FILLER = (
    "can you give me a quick recipe with chickpeas and spinach, nothing fancy",
    "what is difference between affect and effect, I always mix them",
    "ok random question how long do you boil an egg for a runny yolk I never remember",
    "Summarise the key points of stoicism in five bullets.",
    "remind me tomorrow at eight to call the bank",
    "is it normal that the leaves of my houseplant go yellow at the edges",
    "Translate 'see you next week' into German.",
    "so the weather here has been absolutely grim all week and I need ideas for things to "
    "do indoors that are not just scrolling",
    "how do I get candle wax out of a tablecloth",
    "Convert 180 Fahrenheit to Celsius.",
    "please check my sentence: I am looking forward to hear from you",
    "what is a good stretch for a stiff lower back, I have been sitting all day",
    "Give me three name ideas for a group chat with the neighbours.",
    "my phone keeps saying storage full even after I delete photos why",
)

LIVES: dict[str, tuple[str, ...]] = {
    "Wojciech": (
        "what means to be on the fence, my colleague say this and I do not understand",
        "the night shift on the trams finish at two, after I cannot sleep, what you recommend",
        "please correct my email to the council about the parking permit, I write it very bad",
        "my daughter want a phone for school, which age is normal for this in England",
        "I make pierogi for colleagues on Friday, how many I need for twelve persons",
        "the overhead line was down again today, three hours no service, passengers angry "
        "with me like is my fault",
    ),
    "Priyanka": (
        "ok so I have got three weddings back to back this month and I need a packing list for "
        "camera gear that I can just tick off because last time I forgot the spare batteries",
        "can you help me reply to a bride who wants four hundred photos edited by tuesday which "
        "is not happening obviously but I need to say it nicely",
        "my knees are wrecked from kneeling in church aisles all summer is there anything I can "
        "do about that",
        "remind me to back up the memory cards tonight I mean it this time",
        "what is a polite way to ask a guest to stop standing in front of me during the vows",
        "so my mum wants me to teach her instagram and I love her but I need a step by step "
        "guide I can print out for her",
    ),
    "Anselm": (
        "Difference between a continuation and a divisional application. Two sentences.",
        "Reformat this claim set into numbered clauses.",
        "Deadline tracker: add an office action response due in six weeks.",
        "Best way to annotate PDFs on a tablet. One recommendation.",
        "Draft a decline to a networking dinner invitation. Brief, cordial.",
        "Time zone check: 9:00 CET in Tokyo.",
    ),
    "Mirela": (
        "can you scale my croissant recipe from 12 to 40 pieces, the butter amount confuses me",
        "make me a list of what to buy for my niece's christening, I always forget the candles",
        "how long does laminated dough keep in the freezer",
        "write a cheerful sign for the counter saying the sourdough sells out by noon",
        "split the electricity bill three ways with my flatmates, it is 96.40",
        "my hands smell of yeast all the time, is that a thing people notice",
    ),
    "Tobiah": (
        "the otters figured out the latch on the feeding hatch again, should I be worried",
        "how do you get the smell of fish out of a fleece jacket",
        "school group of sixty kids tomorrow, need ten fun facts about penguins",
        "my boots leak and I am standing in water half the day, what brand lasts",
        "a visitor asked me if sharks sleep and I realised I do not actually know",
        "write a sign asking people not to tap on the glass, friendly but firm",
    ),
    "Ifeoma": (
        "can you explain what a flaky test is in simple words, my dad asked and I fumbled it",
        "write a bug report template with steps to reproduce, expected and actual",
        "my husband typed some of my last messages, sorry if they read oddly",
        "suggest a name for the weekly bug bash at work",
        "what is a polite way to say nobody checked this before shipping, for a retro",
        "my mother-in-law visits next month, give me jollof rice tips that will not embarrass me",
    ),
}

#: other people's values of the same kinds, and what-ifs ({attribute} slots)
DISTRACTORS = (
    "my cousin just bought a flat in {location}, she wants me to visit",
    "if I ever took that offer in {location} I would have to learn to drive in snow, no thanks",
    "my brother got an offer from {employer}, should he negotiate?",
    "imagine working at {employer}, my friend says they have a free canteen",
    "my neighbour retrained as a {job} at fifty, respect",
    "sometimes I think I should have been a {job}, less stress maybe",
    "my best friend is engaged to {partner}, the wedding is in the spring",
    "my colleague talks about her boyfriend {partner} all day, we know everything about him",
    "my aunt's {pet} escaped again, the whole street was out looking",
    "if we ever got a {pet} who would even look after it when we travel",
    "my flatmate is doing {diet} and the fridge is a battlefield",
    "would {diet} even work for someone on shifts, just curious",
    "a friend keeps trying to drag me to {hobby}, not my thing",
    "my dad took up {hobby} when he retired and talks about nothing else",
    "my coworker is planning {plan} and I am a bit jealous",
    "in another life I would go for {plan}, but not now",
    "my friend pays {rent} a month for a tiny studio, the market is insane",
    "a place I saw online was {rent} a month, I did not even go to look",
    "a job ad I saw offered {salary} for basically the same work",
    "my cousin earns {salary} a year and still complains",
)

REPLIES = (
    "Got it.",
    "Sure, here is a suggestion.",
    "Happy to help with that.",
    "Understood, noted.",
    "Here is what I would do.",
    "That makes sense; let me help.",
    "Of course. A few options below.",
    "Thanks for telling me.",
    "Okay, I have taken that into account.",
    "Let us sort that out.",
)
