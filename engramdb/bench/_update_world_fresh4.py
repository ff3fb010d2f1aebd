"""The ``fresh4`` set of the conversational update benchmark: a fourth blind check.

Written on 2026-12-03 (session 5) by an engineer who had not read the extractor or the
recall code (``engramdb.text``, ``engramdb.write``, ``engramdb.recall``,
``engramdb.lifecycle``) nor the sentences of ``fresh``, ``fresh2`` or ``fresh3``; never
used to tune anything, and the engineers changing the extractor or recall do not read
it. Six personas with lives unlike the earlier sets' (a nurse on night shifts, a
long-haul trucker, a high-school music teacher, a marine biologist, a startup founder,
a retired firefighter), each with lines about that life in the chit-chat (``LIVES``)
and job / employer values that fit it (``PERSONA_VALUES``).

The voice is the way people type to an assistant on a phone: lowercase, typos, run-on
turns of several sentences with a request in them, the value often far from any word
that names what it is, changes told as news, as a grumble, as an aside inside an
unrelated request or only implied by what follows from them, old values echoed sessions
later, and distractors holding values of the same kinds for other people or for
what-ifs. Each question slot of ``QUESTIONS`` holds several phrasings; the generator
picks one per question.

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

VALUES: dict[str, tuple[str, ...]] = {
    "location": ("Cheyenne", "Moncton", "Kalamazoo", "Ushuaia", "Timaru", "Kiruna",
                 "Wollongong", "Trondheim", "Bozeman", "Gdansk", "Lubbock", "Nagasaki",
                 "Mombasa", "Saskatoon"),
    "employer": ("Pelican Freightways", "Stonebridge Credit Union", "Quillfeather Press",
                 "Driftwood Dental", "Ironbark Solar", "Saltgrass Cider Works",
                 "Copperleaf Pharmacy", "Vantage Point Realty", "Halcyon Ferries",
                 "Nettlefield Council", "Gravelpit Games", "Oxbow Timber"),
    "job": ("court stenographer", "sign writer", "dog groomer", "crane operator",
            "piano tuner", "optician", "glassblower", "court reporter", "welder",
            "cartographer", "audiologist", "upholsterer"),
    "partner": ("Thaddeus", "Philippa", "Osvaldo", "Ngozi", "Rasmus", "Henrietta",
                "Zbigniew", "Ottavia", "Leopold", "Marguerite", "Casimir", "Perpetua"),
    "pet": ("Kipper", "Barnaby", "Pippin", "Hercules", "Bandit", "Nugget", "Ferdinand",
            "Clover", "Jellybean", "Mr. Pickles"),
    "diet": ("ketogenic", "anti-inflammatory", "low-histamine", "fruitarian", "lacto-ovo",
             "kosher", "ayurvedic"),
    "hobby": ("aerial silks", "disc golf", "ham radio", "rug hooking", "roller derby",
              "knife sharpening", "metal detecting", "kite surfing", "origami", "lock picking"),
    "plan": ("sail to the Azores", "hike the Pacific Crest Trail", "walk the Camino",
             "buy a camper van", "move off-grid", "restore a vintage motorbike",
             "do a master's degree", "foster a retired greyhound"),
    "rent": ("$1,385", "$2,215", "$960", "$1,565", "$2,740", "$1,125", "$3,450"),
    "salary": ("$47,600", "$58,900", "$66,400", "$91,300", "$117,800", "$143,000",
               "$83,150"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "fresh4": ("Marisol", "Clement", "Ottilie", "Kwame", "Solveig", "Bertrand"),
}

# Job and employer values that fit each life; the other attributes draw from VALUES.
PERSONA_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "Marisol": {"job": ("float pool nurse", "clinical nurse lead", "nurse practitioner"),
                "employer": ("St. Brigid's Hospital", "Lakeshore Medical Center",
                             "Evergreen Hospice")},
    "Clement": {"job": ("owner-operator", "fleet trainer", "load planner"),
                "employer": ("Redline Haulage", "Coyote Creek Transport",
                             "Bluestem Logistics")},
    "Ottilie": {"job": ("band director", "choir teacher", "music department head"),
                "employer": ("Westbrook High School", "Saint Aldric Academy",
                             "Pinecrest Secondary")},
    "Kwame": {"job": ("field technician", "research associate", "reef ecologist"),
              "employer": ("Tidemark Marine Institute", "Coral Sound Aquarium",
                           "Blue Fathom Conservancy")},
    "Solveig": {"job": ("co-founder and CEO", "chief product officer", "fractional CTO"),
                "employer": ("Loopwise", "Parcelbird", "Quietly Labs")},
    "Bertrand": {"job": ("retired fire captain", "volunteer driving instructor",
                         "school crossing guard"),
                 "employer": ("Millbrook Fire Department", "Harrow Valley Community College",
                              "Oakhurst Men's Shed")},
}

_LOCATION = ((
    "hi!! first time using this thing. bit of background so you can help me better: "
    "{v}, small one bedroom, third floor, no elevator. ok go",
    "can u find me a 24h pharmacy near {v}? preferably one that isn't in a sketchy "
    "strip mall, it'll be like 7am when I get there",
    "The snow plows in {v} are a joke. Three days and our street still hasn't been done. "
    "Who do I even complain to about that?",
    "what's a good gift for neighbours who keep taking in my parcels? everyone on my "
    "street in {v} has been really kind",
    "Honestly I've been in {v} so long the guy at the bakery starts my order when he "
    "sees me through the window.",
), (
    "ok so update, we did it, we actually left {old}. the truck got to {v} at midnight "
    "and I slept on a mattress on the floor. worth it",
    "need a checklist for changing my address on everything. I'm in {v} now and "
    "half my stuff is still getting sent to the old place",
    "the drive to work from {v} is brutal now. 50 min each way minimum. was this a "
    "mistake",
    "does anyone know if {v} has decent farmers markets? still learning my way round "
    "the new neighbourhood, everything is unfamiliar",
    "tbh I miss {old} sometimes but the rent in {v} is way more sane and the view "
    "from the balcony is ridiculous",
    "Can you recommend a dentist in {v}? I need to register with someone local since "
    "the move and I have a chipped molar",
))

_EMPLOYER = ((
    "So my badge photo at {v} is from 2017 and security still waves me through. "
    "anyway can you help me plan meals for a week of 12 hour shifts",
    "ugh {v} changed the parking again. I now walk 15 minutes from the lot in the rain. "
    "draft me a polite complaint email?",
    "{v} is doing open enrolment for benefits this month and I don't understand any of "
    "it. what's an HSA and do I want one",
    "been at {v} long enough that I'm the one training the new people now lol",
), (
    "I QUIT. well, I signed with {v} and then quit. start date is the 14th, I'm "
    "shaking a bit",
    "whats the etiquette for a leaving card? mine from {old} was so sweet. I'm at "
    "{v} now and someone asked me to organise one for a coworker already",
    "orientation at {v} was 6 hours of slides. how do I remember 40 new names in a week",
    "no more {old} lanyard!! the {v} one is green, I look like a park ranger",
    "first week done at {v}. the coffee machine is better, the people seem normal, "
    "cautiously optimistic",
    "random q but how long should I wait before asking for a day off at a new place? "
    "only joined {v} three weeks ago",
))

_JOB = ((
    "My role is {v}, in case that helps with the CV stuff. I have no idea how to "
    "make it sound impressive",
    "when people ask what I do I say {v} and they either look bored or ask a million "
    "questions, no in between",
    "The {v} life means my body clock is wrecked. Any tips for eating properly at "
    "weird hours?",
    "wrote '{v}' on a form at the doctors today and the receptionist said her son "
    "wants to do that too",
), (
    "they made it official this morning: {v}. there's a pay bump and about 40 more "
    "emails a day",
    "can you fix my linkedin summary? it still says {old} but I'm {v} since the "
    "restructure",
    "new title on my door! {v}. my mum cried on the phone, honestly so did I",
    "not a {old} anymore, it's {v} now and I have to do budgets. please explain "
    "budgets to me like I'm five",
    "first day as {v} was chaos but the good kind. what should I read to get up to "
    "speed",
))

_PARTNER = ((
    "my girlfriend {v} says I spend too much time talking to a chatbot lol. "
    "anyway, quick date night ideas that aren't dinner?",
    "{v} and I have been together 4 yrs this march. what do you get someone who "
    "says they want nothing",
    "Need a recipe {v} can't complain about. They hate cilantro, mushrooms and joy",
    "My husband {v} snores like a chainsaw. Are those nose strip things real or a "
    "scam",
), (
    "so things with {old} ended. it was mutual-ish. anyway I met {v} at a friend's "
    "thing and we've been out like six times",
    "need help planning a weekend away for {v}, our first trip together. nothing "
    "fancy, a cabin or something",
    "is it too soon to introduce {v} to my parents? it's been three months and "
    "honestly it feels right",
    "moved {old}'s stuff into boxes finally. {v} helped me carry them to the car "
    "which was weirdly sweet",
    "{v} cooked for me last night and I think this might be serious lol. what's a "
    "good thank-you that isn't too much",
))

_PET = ((
    "{v} threw up on the rug AGAIN. how do you get that smell out of wool",
    "my dog {v} is terrified of the vacuum. any tricks, or do I just hoover when "
    "he's out",
    "is it bad to leave a cat alone for a 14 hour shift? {v} seems fine but I "
    "feel guilty",
    "what's a good treat for a senior dog with bad teeth? {v} is twelve and picky",
), (
    "we lost {old} last month. the house is so quiet. the shelter called yesterday and "
    "now there's a little one called {v} asleep on my feet",
    "how often do puppies need to go out at night? {v} has me up every two hours",
    "introducing a new kitten to an apartment, tips? her name is {v} and she has "
    "already eaten a hair tie",
    "vet bill for {v}'s first shots was $180, is that normal?? also she bit the vet",
    "ok so we adopted. meet {v}, 3 years old, one ear up one ear down, "
    "already owns the couch",
))

_DIET = ((
    "meal prep ideas please, I'm {v} and kind of bored of my own cooking",
    "I've eaten {v} for about five years and my family still acts like it's a phase",
    "is there a decent {v} option at a normal steakhouse or am I eating side salads "
    "all night",
    "can you turn this lasagne recipe {v}? it's my nan's and I refuse to give it up",
), (
    "doc said my bloodwork was bad so I'm doing {v} now. day 9. I would kill for a "
    "bagel",
    "ok I'm fully {v} as of this month, my stomach has never been happier. snack "
    "ideas for the car?",
    "gave up on {old}, it wasn't working for me. {v} seems way more sustainable, "
    "can you help with a shopping list",
    "my partner is annoyed that we can't share desserts anymore since I went {v} lol",
    "what do I pack for a conference lunch when everything is sandwiches? been {v} "
    "since january",
))

_HOBBY = ((
    "{v} is basically my whole personality on weekends. any good youtube channels for "
    "getting better?",
    "spent all sunday on {v} and forgot to eat. is that a hobby or a problem",
    "my friends say I should go to a {v} meetup but I'm shy. how do people do that",
    "what should I ask for my birthday if I'm into {v}? my sister wants ideas",
), (
    "found a new obsession: {v}. did a taster class and signed up for ten weeks on "
    "the spot",
    "honestly done with {old}, I've switched to {v} and it's so much more fun. where "
    "do I buy beginner gear that isn't overpriced",
    "sore in muscles I didn't know existed after {v} last night. how do I recover",
    "got a {v} starter kit for christmas and I'm hooked, is it normal to be this bad "
    "at the start",
    "my evenings are all {v} now, my partner says they never see me lol",
))

_PLAN = ((
    "long term I want to {v}. is that dumb at my age? be honest",
    "I keep a jar of savings labelled '{v}'. it's at maybe 20% of what I need",
    "realistic timeline to {v} if I can only put in a few hours a week?",
    "next big thing on my list: {v}. help me break it into steps",
), (
    "scrap the {old} idea, too expensive. what I really want is to {v}. can you help "
    "me make a plan",
    "after everything this year I've decided I'm going to {v}. told my friends so now "
    "I can't back out",
    "what would I need to {v}? looking at it seriously now, the old dream is off the "
    "table",
    "booked a meeting with a financial advisor about how to {v}. nervous but excited",
))

_RENT = ((
    "Is {v} a month reasonable for a 1-bed with no dishwasher? feels like a lot",
    "every month {v} leaves my account on the 1st and I feel it physically",
    "trying to do a budget. fixed costs: {v} for the apartment, car insurance, phone. "
    "what else should I plan for",
    "my landlord is lovely but {v} for this place is steep. should I ask for a "
    "discount if I sign for two years",
), (
    "lease renewal came and they want {v} now. up from {old}!! can they do that?",
    "good news for once, the new place is {v} a month, so I save a bit every month",
    "landlord letter: {v} from next month. write me a reply asking for a smaller "
    "increase pls",
    "the new lease says {v} including water. is that a good deal or am I being "
    "naive",
))

_SALARY = ((
    "I bring in {v} before tax, is it enough to save for a house or am I kidding "
    "myself",
    "help me figure out how much to put in my 401k, gross is {v}",
    "On {v} a year in this economy, is a $40k car stupid? be brutal",
), (
    "raise came through!! {v} now. was {old}. what should I do with the difference",
    "the offer letter says {v} base. is it rude to counter",
    "budget time: my pay is {v} now so I want to redo my savings plan",
    "got my new contract, {v} plus overtime. I kept reading the number to make sure",
))

PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {"fresh4": {
    "location": _LOCATION, "employer": _EMPLOYER, "job": _JOB, "partner": _PARTNER,
    "pet": _PET, "diet": _DIET, "hobby": _HOBBY, "plan": _PLAN, "rent": _RENT,
    "salary": _SALARY,
}}

# The old value mentioned again in passing, sessions after it changed: never current.
ECHOES: dict[str, tuple[str, ...]] = {
    "location": ("an old neighbour from {old} messaged me today, apparently the corner "
                 "shop closed. end of an era",
                 "still have a {old} library card in my wallet lol, should I cut it up"),
    "employer": ("got an email from {old} HR about a form I forgot to sign. I don't "
                 "even work there",),
    "job": ("saw a job ad for {old} and felt nothing. growth?",),
    "partner": ("ran into {old} at the supermarket. we talked about the weather for "
                "two minutes and I wanted to die",),
    "pet": ("found {old}'s collar in a drawer. had to sit down for a minute",),
    "diet": ("my sister still buys me {old} snacks every christmas bless her",),
    "hobby": ("the {old} stuff is gathering dust in the garage, should I sell it",),
    "plan": ("remember when I wanted to {old}? what was I thinking",),
    "rent": ("back when I was paying {old} I thought that was a lot. ha",),
    "salary": ("my old payslips say {old} and it's funny how rich that felt at the "
               "time",),
}

# What a question asks, per attribute: current value, value before {new}, when it
# changed; each with several phrasings, one picked per question.
QUESTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "location": (("What city is {n} living in these days?", "where's {n} based now",
                  "If I had to mail {n} a letter today, which city would it go to?"),
                 ("Where did {n} live before moving to {new}?",
                  "what town did {n} leave behind for {new}"),
                 ("When did {n} move to {new}?", "how long has {n} been in {new}")),
    "employer": (("Which company does {n} work for now?", "who pays {n}'s wages at the "
                  "moment", "Where is {n} employed currently?"),
                 ("Who did {n} work for before {new}?",
                  "what was {n}'s previous employer, before {new}?"),
                 ("When did {n} join {new}?", "when did {n} start the job at {new}")),
    "job": (("What is {n}'s role at work now?", "what does {n} do for a living currently",
             "What's {n}'s current title?"),
            ("What was {n}'s role before becoming {new}?",
             "what did {n} do before the {new} job"),
            ("When did {n} become {new}?", "when was {n} made {new}")),
    "partner": (("Who is {n} seeing at the moment?", "who's {n}'s other half now",
                 "Who is {n}'s current partner?"),
                ("Who was {n} with before {new}?", "who did {n} date before {new}"),
                ("When did {n} start dating {new}?",
                 "when did {n} and {new} get together")),
    "pet": (("What's the name of {n}'s pet now?", "what is {n}'s current animal called",
             "Which pet lives with {n} today?"),
            ("What pet did {n} have before {new}?", "which animal did {n} have before {new}"),
            ("When did {n} get {new}?", "when did {new} join {n}'s household")),
    "diet": (("How does {n} eat these days?", "what diet is {n} on now",
              "Which eating plan is {n} following at the moment?"),
             ("What diet was {n} on before going {new}?",
              "how did {n} eat before switching to {new}"),
             ("When did {n} go {new}?", "when did {n} start eating {new}")),
    "hobby": (("What does {n} do for fun now?", "what's {n}'s hobby at the moment",
               "How does {n} spend free evenings these days?"),
              ("What hobby did {n} have before {new}?",
               "what did {n} do for fun before getting into {new}"),
              ("When did {n} get into {new}?", "when did {n} start {new}")),
    "plan": (("What is {n} planning to do?", "what's {n}'s big goal now",
              "What does {n} hope to do next?"),
             ("What did {n} want to do before deciding to {new}?",
              "what was {n}'s plan before {new}"),
             ("When did {n} decide to {new}?", "when did {n} settle on the idea to {new}")),
    "rent": (("How much is {n}'s rent now?", "what does {n} pay for housing each month",
              "What's {n}'s monthly rent currently?"),
             ("What was {n}'s rent before it became {new}?",
              "how much did {n} pay in rent before"),
             ("When did {n}'s rent change to {new}?", "when did {n} start paying {new}")),
    "salary": (("How much does {n} make a year now?", "what's {n}'s pay currently",
                "What is {n}'s salary at the moment?"),
               ("What did {n} earn before {new}?", "how much was {n} paid before the change"),
               ("When did {n}'s pay go to {new}?", "when did {n} start earning {new}")),
}

# Questions whose answer is never in the conversation (the tests check the words).
UNANSWERABLE = ("What is {n}'s favourite colour?", "What was the name of {n}'s childhood "
                "best friend?", "What is {n}'s mother's maiden name?",
                "Which video game does {n} play the most?", "What is {n}'s wifi password?",
                "What tattoo does {n} have?", "Who did {n} vote for in the last election?",
                "How many languages does {n} speak?")

# Chit-chat that states nothing about the persona's attributes.
FILLER = (
    "can you explain compound interest like I'm tired, because I am",
    "what's a good podcast for a long drive? not true crime, I can't sleep after",
    "my phone battery dies by 2pm every day. is it the phone or is it me",
    "settle an argument: is a hot dog a sandwich",
    "how long do eggs actually last in the fridge, the box says one thing my gut says "
    "another",
    "need a birthday message for my aunt that isn't cheesy. she's 70 and very dry",
    "whats the difference between a cold and the flu, asking for myself",
    "recommend me a book that's sad but not TOO sad",
    "how do I get a red wine stain out of a white shirt, asap",
    "I forgot my friend's wedding anniversary, how do I recover from this",
    "is it worth getting the extended warranty on a washing machine",
    "write me a haiku about mondays pls",
    "my neighbour's kid is learning drums. how many hours a day is legally allowed lol",
    "help me word a text cancelling plans without sounding flaky",
)

# What each persona's life is like, in passing; none of it states an attribute value.
LIVES: dict[str, tuple[str, ...]] = {
    "Marisol": (
        "just got off a 7p-7a and the sun is up and everyone is going to work and I "
        "want to scream. blackout curtain recs?",
        "how do you do a handover that doesn't miss stuff when you've been awake 20 "
        "hours. checklist ideas?",
        "third night in a row. my feet are numb and the vending machine ate my dollar.",
        "how much caffeine is too much if I drink it at 3am, asking for professional "
        "reasons",
        "one of my patients tonight told me I had kind eyes and I almost lost it in "
        "the med room",
        "can you help me write an incident report that doesn't sound like I'm blaming "
        "the pharmacy",
    ),
    "Clement": (
        "parked at a truck stop outside amarillo, showers are closed. great",
        "hours of service rules are doing my head in, how many hours can I drive after "
        "a 10 hour break again",
        "whats a healthy thing to eat that you can buy at a gas station at 2am",
        "reefer unit was beeping all night. slept maybe three hours in the sleeper",
        "my back is killing me after 11 hours in the seat. stretches I can do in a cab?",
        "snowed in at a rest area in wyoming with 40 other rigs. send me something to "
        "listen to",
    ),
    "Ottilie": (
        "spring concert is in 3 weeks and the trumpets still can't find the key "
        "change. send help",
        "how do you get teenagers to stop playing phones during rehearsal without "
        "becoming the villain",
        "a kid asked me if mozart was on tiktok and I had to lie down",
        "need a fundraiser idea to replace 6 broken music stands, the budget is zero",
        "grading 90 sight-reading tests this weekend, pray for me",
        "one of my seniors got into a conservatory and I cried in the car park",
    ),
    "Kwame": (
        "back from 10 days on the research vessel, my legs still think the floor is "
        "moving",
        "how do I explain coral bleaching to a room of 8 year olds in 5 minutes",
        "our grant report is due friday and I have 400 fish transect photos to tag",
        "saw a manta ray on the dive today, absolutely unreal",
        "how do you keep a wetsuit from smelling like the inside of a boot",
        "help me write the methods section without it sounding like a shopping list",
    ),
    "Solveig": (
        "investor call at 8 tomorrow, can you poke holes in this pitch: we help small "
        "shops ship cheaper",
        "burn rate is fine, I am not fine. how do founders sleep",
        "how do I tell an early employee their role is changing without them quitting",
        "our app went down for 40 minutes during a demo. I've aged ten years",
        "what's a cap table and why does everyone act like I should know",
        "hired our first designer today. she's brilliant and I'm terrified",
    ),
    "Bertrand": (
        "32 years on the job and the thing I miss most is the kitchen table at the "
        "station. weird what sticks with you",
        "grandkids are coming for a week, what do 6 and 9 year olds actually like to do",
        "my knees are shot from the ladders. is swimming good for that",
        "how do I set up a smoke alarm that talks to my phone, my daughter insists",
        "the guys from my old crew are doing a reunion bbq. what do I bring that isn't "
        "beer",
        "retirement is great but I keep waking up at 5:45 for no reason",
    ),
}

# Values of the same kinds held by someone else, or only imagined.
DISTRACTORS = (
    "my cousin just moved to {location} and won't stop sending me sunsets",
    "if I won the lottery I'd disappear to {location} and never answer email again",
    "my brother got an offer from {employer}, should he take it? they're known for "
    "long hours",
    "a recruiter from {employer} keeps messaging me on linkedin, I'm not interested",
    "my best friend just retrained as a {job} at 45. kind of inspiring",
    "would I be a good {job}? I like fiddly things but hate mornings",
    "my sister's boyfriend {partner} keeps calling me 'kiddo' and I hate it",
    "a guy called {partner} at the gym asked me out, I said no, was that rude",
    "my neighbour's dog {pet} got out again and I spent an hour chasing it",
    "if I ever get a parrot I'm naming it {pet}",
    "my mom is trying {diet} for a month, any recipes I can make when she visits",
    "my roommate went {diet} and now the fridge is all labels",
    "my coworker is really into {hobby}, should I try it with her",
    "thinking about maybe trying {hobby} someday but probably not",
    "my dad says he wants to {plan} when he retires lol",
    "a friend of mine is saving up to {plan}, is that a realistic goal",
    "my friend pays {rent} for a studio downtown, is that insane",
    "saw a listing for {rent} a month with a garden, too far though",
    "my brother just got offered {salary} and he's complaining. unbelievable",
    "if someone offered me {salary} I'd probably take it, just saying",
)

REPLIES = (
    "Got it. Here's what I'd suggest.", "Oof, that sounds rough. Let's sort it out.",
    "Happy to help with that.", "Nice! Want me to break it down step by step?",
    "Sure thing, here are a few options.", "That's a lot to juggle. One thing at a time:",
    "Ha, fair. Here's my take.", "Noted. Anything else on your mind?",
    "Good question. Short answer first:", "I hear you. A couple of ideas:",
)
