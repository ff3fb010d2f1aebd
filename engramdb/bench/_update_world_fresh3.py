"""The ``fresh3`` set of the conversational update benchmark: a third blind check.

Written on 2026-12-03 (session 4) by an engineer who had not read the rule extractor
(``engramdb.text.slots`` and its tables, ``write.extract``, ``write.facts``) nor the
sentences of ``fresh2``; never used to tune anything, and the engineers changing the
extractor or recall do not read it. Six personas with lives unlike the earlier sets'
(an airline pilot, a farmer, a chef, a PhD student, a bike-shop owner, a retired
teacher caring for her mother), each with lines about that life in the chit-chat
(``LIVES``) and job / employer values that fit it (``PERSONA_VALUES``).

Statements are written the way people type to an assistant, by another author than
the earlier sets: several sentences per turn, the value often away from the word that
says what it is, changes told as news, as complaints, inside an unrelated request or
only implied by their consequences, the old value echoed sessions later, and
distractors holding values of the same kinds for other people or for what-ifs.

Same structure as :mod:`engramdb.bench._update_world_fresh2`; placeholders: ``{v}``
the value, ``{old}`` the value before, ``{n}`` the persona.
"""

from __future__ import annotations

from ._update_world import ATTRS

__all__ = ["ATTRS", "DISTRACTORS", "DISTRACTOR_SHARE", "ECHOES", "FILLER", "LIVES",
           "PERSONAS", "PERSONA_VALUES", "PHRASES", "QUESTIONS", "REPLIES", "SLOTTED",
           "UNANSWERABLE", "VALUES"]

SLOTTED = True  # distractors are filled per attribute, avoiding the persona's own values
DISTRACTOR_SHARE = 0.45

VALUES: dict[str, tuple[str, ...]] = {
    "location": ("Winnipeg", "Grenoble", "Valletta", "Aarhus", "Spokane", "Galway",
                 "Dunedin", "Bruges", "Ljubljana", "Flagstaff", "Nantes", "Antwerp",
                 "Thunder Bay", "Inverness"),
    "employer": ("Ashgrove Mutual", "Kittiwake Shipping", "Redfern Diagnostics",
                 "Ottoline Books", "Bluegate Telecom", "Hearthside Bakeries",
                 "Cinder Peak Outfitters", "Wexford Paper Co.", "Lanternfish Studios",
                 "Amberly Water", "Tessellate Software", "Marrowbone Farms"),
    "job": ("copy editor", "surveyor", "translator", "veterinary nurse", "plumber",
            "actuary", "florist", "park ranger", "tattoo artist", "air traffic controller",
            "sign language interpreter", "insurance underwriter"),
    "partner": ("Cormac", "Tadeusz", "Leontine", "Amadou", "Fenella", "Ignatius",
                "Saoirse", "Lorcan", "Mireille", "Evander", "Yolanda", "Bartosz"),
    "pet": ("Tinsel", "Figaro", "Pipkin", "Bartok", "Quincy", "Moxie", "Dandelion",
            "Gumdrop", "Rufus", "Zephyr"),
    "diet": ("carnivore", "Mediterranean", "high-protein", "sugar-free", "macrobiotic",
             "Whole30"),
    "hobby": ("bookbinding", "astronomy", "bonsai", "lindy hop", "falconry", "genealogy",
              "model railways", "darts", "bell ringing", "candle making"),
    "plan": ("open a food truck", "build a tiny house", "take a sabbatical in Japan",
             "learn the cello", "cycle across Scotland", "live on a narrowboat",
             "climb Kilimanjaro", "teach English abroad"),
    "rent": ("$1,275", "$1,930", "$2,060", "$875", "$2,590", "$1,710", "$3,280"),
    "salary": ("$52,300", "$72,800", "$88,900", "$104,000", "$139,500", "$61,250",
               "$39,700"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "fresh3": ("Henrike", "Ewan", "Paloma", "Yusuf", "Delphine", "Gwendolyn"),
}

# Job and employer values that fit each life; the other attributes draw from VALUES.
PERSONA_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "Henrike": {"job": ("first officer", "line captain", "simulator instructor"),
                "employer": ("Northerly Air", "Cobblestone Cargo", "Eastwind Regional")},
    "Ewan": {"job": ("herd manager", "orchard foreman", "agronomist"),
             "employer": ("Bracken Hill Farm", "Greenhollow Dairy Co-op",
                          "Tillman Seed Company")},
    "Paloma": {"job": ("prep cook", "sous chef", "head chef"),
               "employer": ("Brasserie Colbert", "The Salted Fig", "Harbourside Hotel")},
    "Yusuf": {"job": ("doctoral researcher", "lab manager", "postdoctoral fellow"),
              "employer": ("Whitcombe University", "Halvorsen Institute",
                           "Meridian Biotech")},
    "Delphine": {"job": ("shop owner", "store manager", "bicycle mechanic"),
                 "employer": ("Gearbox Cycles", "Pennyfarthing Repairs",
                              "Larchmont Hardware")},
    "Gwendolyn": {"job": ("retired schoolteacher", "private tutor", "exam invigilator"),
                  "employer": ("Ashby Learning Centre", "Kingsmead Library",
                               "Holloway Primary School")},
}

_LOCATION = ((
    "ok so some context for everything I'm about to ask: I'm in {v}. Been here about six "
    "years, a flat near the river.",
    "What's a decent day hike near {v}? Nothing huge, I get one free day a week and I'd "
    "like to be home before dark.",
    "{v} born and raised and I've never really left. Is that weird at my age?",
    "Pollen is brutal here this month. Is {v} known for it or is this just a bad year?",
    "The library here in {v} is doing a book swap on Saturday and I said I'd run a table.",
), (
    "Keys handed back this morning, goodbye {old}! Three hours in a rented van later and "
    "the new place in {v} smells of fresh paint.",
    "Remind me to change my address with the bank. It still says {old} and I haven't "
    "lived there since the move. {v} has been kind to us so far.",
    "Is it normal to feel lonely in a new city for the first few months? Everyone in {v} "
    "seems nice enough but I don't know a single person yet.",
    "Last box unpacked!! As of this week I am officially a resident of {v}.",
    "What do I need to re-register a car after moving? I've been in {v} since the end "
    "of last month and the temporary paperwork runs out soon.",
    "The view from the kitchen window is all rooftops and gulls now. New job, new flat, "
    "and {v} is home.",
))

_EMPLOYER = ((
    "I've been with {v} going on eight years. Same ID photo since day one, it's tragic.",
    "Can you help me word an email to HR? The people at {v} are lovely but payroll keeps "
    "losing my overtime forms.",
    "Everyone at {v} is off for the holidays except me and two others, so it's very quiet.",
    "My boss at {v} wants me to present at the all-hands. I hate public speaking.",
), (
    "Handed in my notice at {old} today. The new contract is with {v} and I start on "
    "the first.",
    "New ID badge, new parking space, new everything. Turns out {v} does free lunch on "
    "Fridays, which nobody mentioned at the interview.",
    "Quick one: how do I move a pension from a previous employer? I left {old} in the "
    "spring. The {v} scheme uses a different provider.",
    "So the interviews went well. Really well. I said yes to {v} and told my manager "
    "the same afternoon.",
    "First payslip from {v} arrived and it was right the first time, which already "
    "beats my last place.",
    "Walked past my old building today, weird feeling. {old} feels like a lifetime ago "
    "and I've only been at {v} a few weeks.",
))

_JOB = ((
    "Work-wise I'm a {v}, which means long days and not much sitting down.",
    "Does anyone actually enjoy their annual review? Mine is on Thursday. Years as a {v} "
    "and I still get nervous.",
    "My email signature says {v}, but honestly half the job is paperwork.",
    "Trying to update my CV. Current role: {v}. Everything before that is a blur.",
), (
    "They gave me the title. {v}, starting next pay period. I may have cried in the car "
    "park a little.",
    "I'm not the {old} anymore, which still hasn't sunk in. Got moved up last week. "
    "{v} now.",
    "Can you help me rewrite my LinkedIn headline? It still says {old}. Should be {v} "
    "since the reshuffle.",
    "Training for the new role wrapped up today. Tomorrow I'm on the rota as {v} for the "
    "first time.",
    "Nobody warns you that being {v} means the buck stops with you. Some days I miss "
    "being a plain {old}.",
))

_PARTNER = ((
    "{v} and I have been together four years this autumn and I still have no idea what "
    "to get for our anniversary.",
    "My other half is called {v}, by the way, in case I mention them.",
    "Date night tonight. {v} picked the restaurant, so fingers crossed it isn't another "
    "ramen place.",
    "Living with {v} has mostly been great, apart from the thermostat wars.",
), (
    "So {old} and I ended things. Mostly mutual. I've been seeing someone new, {v}, "
    "and it's early days but it feels easy.",
    "Met {v} at a friend's barbecue in the summer and we've been out every weekend "
    "since. Is it too soon to introduce them to my family?",
    "Big step: {v} is moving in with me next week. I need ideas for making space in a "
    "tiny wardrobe.",
    "It's been a rough month since the breakup with {old}. Anyway. There's someone now. "
    "Their name is {v}.",
    "{v} proposed!! On the beach, in the rain, with a ring slightly too big. I said yes "
    "obviously.",
))

_PET = ((
    "My cat {v} has started knocking glasses off the counter at 5 a.m. How do I stop it?",
    "Any tips for a dog that pulls on the lead? {v} is sweet but very strong.",
    "We've got a rabbit, {v}. Stubborn little thing, chews every cable in the house.",
    "The vet says {v} needs to lose some weight. Fewer treats for my old boy.",
), (
    "We lost {old} last month. The house was too quiet so we went to the shelter on "
    "Saturday. Say hello to {v}, a scruffy terrier mix.",
    "House-training a puppy is harder than I remembered. {v} has had three accidents on "
    "the rug today.",
    "Adoption papers signed. {v} is a two-year-old greyhound and is currently asleep on "
    "my feet.",
    "How often should a kitten be fed? {v} came home with us yesterday and is tiny.",
    "Still miss {old} every day. But {v} is doing a decent job of filling the gap, "
    "mostly by stealing socks.",
))

_DIET = ((
    "I eat {v}, so keep that in mind when you suggest recipes.",
    "Been doing {v} for about two years. Feels good, mostly.",
    "Restaurant ideas for someone who eats {v}? Every menu around here seems built on "
    "bread and cheese.",
    "Doctor's orders a while back: {v}. I've made my peace with it.",
), (
    "Update on the food front: I've dropped the {old} thing. Going {v} from now on, my "
    "cholesterol numbers scared me.",
    "Can you give me a week of {v} dinners? Starting on Monday and I have zero ideas.",
    "Three weeks into eating {v} and the sugar cravings are already gone.",
    "My sister bet me I couldn't stick to {v} for a month. Day twenty-two and I'm "
    "winning.",
    "The {old} experiment is over, it wasn't working for me. {v} seems more sustainable.",
))

_HOBBY = ((
    "Weekends are for {v}. It's the one thing that gets my head out of work.",
    "I've been into {v} since I was a teenager. Never got good at it, never stopped.",
    "Any good podcasts about {v}? I've run out of things to listen to on the drive.",
), (
    "Signed up for a beginners' course in {v}. First class was Tuesday and I was hopeless "
    "but I loved it.",
    "Gave up on {old}, I never had the patience. Lately it's all {v}, every spare hour.",
    "Birthday present from the family: all the gear for {v}. I guess they noticed I "
    "won't shut up about it.",
    "Where would I find a {v} club for adults? Got hooked this spring and I want people "
    "to do it with.",
    "The {v} group meets on Thursdays now, so I've had to move my standing dinner with "
    "my mum.",
))

_PLAN = ((
    "Long-term goal, don't laugh: I want to {v} while I still can.",
    "I'm putting money aside every month so I can {v}. It's a few years out.",
    "The big dream for next year is to {v}. Help me make a checklist?",
), (
    "Shelving the idea to {old}, too expensive right now. What I'm actually going to do "
    "is {v}.",
    "Had a long talk with myself. Forget the old plan. I'm going to {v}, and I've told "
    "enough people that I can't back out now.",
    "How long does it realistically take to get ready to {v}? I've made up my mind and "
    "want a rough timeline.",
    "New year, new target. Write it down so you can hold me to it: {v}.",
))

_RENT = ((
    "Housing here is wild. I'm paying {v} a month for a one-bed that looks onto a car "
    "park.",
    "Is {v} a month fair for what I've got? Two bedrooms, no dishwasher, and the "
    "landlord takes a week to answer anything.",
    "Rent day again. {v} gone before I've even bought groceries.",
), (
    "Letter from the letting agent: from next month it's {v}. Up from {old}. Can they "
    "even do that mid-lease?",
    "New lease signed, the monthly figure is {v}. Higher than I wanted but heating is "
    "included.",
    "Budget check please. Income's the same but housing now eats {v} every month "
    "instead of {old}.",
    "The landlord knocked the rent down to {v} because of the roof leak. Small victories.",
))

_SALARY = ((
    "I bring in {v} a year before tax, which sounds like a lot until you live here.",
    "Annual pay: {v}. Trying to work out whether I can afford a new boiler this winter.",
    "My contract is at {v} per year and there's no overtime.",
), (
    "The raise came through! {v} a year from this month. I was underpaid at {old} for "
    "way too long.",
    "Negotiated hard on the offer and they met me at {v}. A decent jump.",
    "Tax question: my income went up partway through the year, to {v}. Do I need to "
    "change anything?",
    "HR finally fixed my pay band. It's {v} now, backdated two months.",
))

PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {"fresh3": {
    "location": _LOCATION, "employer": _EMPLOYER, "job": _JOB, "partner": _PARTNER,
    "pet": _PET, "diet": _DIET, "hobby": _HOBBY, "plan": _PLAN, "rent": _RENT,
    "salary": _SALARY,
}}

# The old value mentioned again in passing, sessions after it changed: never current.
ECHOES: dict[str, tuple[str, ...]] = {
    "location": ("Still getting junk mail addressed to me in {old}. How do I make it stop?",
                 "Saw {old} on the news tonight and felt weirdly homesick."),
    "employer": ("Bumped into my old team from {old} at the supermarket. Awkward hellos "
                 "all round.",),
    "job": ("Someone called me by my old title, {old}, in a meeting today. Old habits.",),
    "partner": ("{old} texted me happy birthday. Nice of them, but I didn't reply.",),
    "pet": ("Found one of {old}'s old toys behind the sofa today. Had a little cry.",),
    "diet": ("Cleared out the cupboards. So many {old} cookbooks I'll never open again.",),
    "hobby": ("Sold all my {old} gear online. Someone's getting a bargain.",),
    "plan": ("Funny to think that last year I was all set to {old}.",),
    "rent": ("Found an old bank statement from when I paid {old} for the place. Feels like "
             "ancient history.",),
    "salary": ("Looking through last year's payslips. {old} seemed like a fortune once.",),
}

# What each question asks: current value, value before {new}, when it changed.
QUESTIONS: dict[str, tuple[str, str, str]] = {
    "location": ("Which city is {n} living in at the moment?",
                 "Which city was {n} living in before {new}?",
                 "When did {n} relocate to {new}?"),
    "employer": ("Who is {n}'s employer these days?",
                 "Which company did {n} work for before {new}?",
                 "When did {n} join {new}?"),
    "job": ("What position does {n} hold currently?",
            "What was {n}'s position before {new}?",
            "When did {n} take on the role of {new}?"),
    "partner": ("Who is {n} in a relationship with now?",
                "Who was {n}'s partner before {new}?",
                "When did {n} start seeing {new}?"),
    "pet": ("What's the name of the animal {n} has now?",
            "Which pet did {n} have before {new}?",
            "When did {n} bring {new} home?"),
    "diet": ("What way of eating is {n} sticking to currently?",
             "How did {n} eat before switching to {new}?",
             "When did {n} switch to eating {new}?"),
    "hobby": ("What does {n} spend free time on nowadays?",
              "What pastime did {n} have before {new}?",
              "When did {n} get into {new}?"),
    "plan": ("What is {n}'s current goal?",
             "What did {n} intend to do before deciding to {new}?",
             "When did {n} settle on the plan to {new}?"),
    "rent": ("What is {n}'s monthly rent at present?",
             "What was {n}'s rent before it changed?",
             "When did {n}'s rent become {new}?"),
    "salary": ("What is {n}'s current annual income?",
               "What did {n} make per year before the change?",
               "When did {n}'s pay go to {new}?"),
}

# Never said. Some are near misses: the mother, the anniversary and the landlord are
# talked about, never their name, date or the like.
UNANSWERABLE = ("What is {n}'s blood type?", "Which basketball team does {n} cheer for?",
                "What is the name of {n}'s mother?", "How tall is {n}?",
                "Which language did {n} grow up speaking?",
                "What instrument did {n} play as a child?",
                "On what date is {n}'s wedding anniversary?",
                "What is {n}'s landlord's phone number?")

# Chit-chat that states no attribute of the persona.
FILLER = (
    "Can you explain compound interest like I'm twelve? I keep nodding along when people "
    "bring it up.",
    "Power cut for three hours last night. Ate crackers by candlelight, very romantic, "
    "very alone.",
    "What's a polite way to turn down a wedding invitation from a coworker I barely know?",
    "Give me a five-minute stretching routine, my back is a mess.",
    "Is it true you should never wash a cast iron pan with soap?",
    "Recommend me a mystery novel that isn't too gory.",
    "I keep forgetting to drink water during the day. Tricks?",
    "How do I get candle wax out of a tablecloth?",
    "The renovation next door has been going on for six weeks. The drilling starts at 7.",
    "What's the difference between a virus and bacteria again? Asking for an argument "
    "I'm losing.",
    "Slept ten hours and still tired. Is that a thing?",
    "Help me write a thank-you note to a friend who lent me a ladder.",
)

# What each persona's life is like, in passing; none of it states an attribute value.
LIVES: dict[str, tuple[str, ...]] = {
    "Henrike": (
        "Three early reports in a row this week. How do I fall asleep at 8 p.m. when the "
        "sun is still up?",
        "Crosswind practice in the sim tomorrow. I always overthink the flare.",
        "Jet lag question: on a two-night layover, is it better to stay on home time?",
        "My medical renewal is due. I get irrationally nervous about the eye test every "
        "single time.",
        "Fog held us on the ground for two hours today and every passenger blamed me "
        "personally.",
    ),
    "Ewan": (
        "Calving has started and I'm running on about four hours of sleep.",
        "The north field flooded again. How do people deal with drainage on clay soil?",
        "Hay prices are up again. Can you help me compare three suppliers' quotes?",
        "The tractor's gearbox is making a grinding noise. What should I check before I "
        "call someone out?",
        "Frost warning tonight and half the seedlings are still uncovered. Wish me luck.",
    ),
    "Paloma": (
        "Sixteen-hour shift, a broken walk-in fridge and two no-shows. Tell me something "
        "nice.",
        "How do I keep a hollandaise from splitting when the pass is slammed?",
        "Burned my forearm on the salamander again. Best thing for a kitchen burn?",
        "Menu tasting tomorrow. I'm trying a smoked beetroot starter and I'm not sure "
        "about it.",
        "Can you scale a brine from 2 litres to 15 for me?",
    ),
    "Yusuf": (
        "Reviewer two strikes again. They want three more experiments for a workshop "
        "paper.",
        "My supervisor moved our meeting for the fourth time. Is that a sign of something?",
        "How do I make a matplotlib figure look less like it's from 1998?",
        "Conference deadline on Friday. I have an abstract and a prayer.",
        "Is it normal to feel like you know less about your topic in year three than in "
        "year one?",
    ),
    "Delphine": (
        "Stocktake this weekend. Any way to make counting inner tubes less "
        "soul-destroying?",
        "A customer left a one-star review because we were closed on a Sunday. We are "
        "always closed on Sundays.",
        "Is an online shop worth it for a business my size, or is foot traffic enough?",
        "The card reader died in the middle of the Saturday rush. Cash only for four "
        "hours.",
        "Help me write a sign for the window about the spring tune-up offer.",
    ),
    "Gwendolyn": (
        "Mum had a better day today. She remembered my name and asked about the garden.",
        "How do I apply for a carer's allowance? The forms are a maze.",
        "Thirty-four years of marking essays and I still can't walk past a misplaced "
        "apostrophe.",
        "The district nurse comes on Tuesdays now instead of Mondays, which upsets "
        "everything.",
        "Any gentle chair exercises for someone in her late eighties?",
        "Former pupils keep stopping me in the street. One of them is a grandfather now!",
    ),
}

# Values of the same kinds held by someone else, or only imagined.
DISTRACTORS = (
    "My cousin just got a place in {location}. She keeps sending me photos of the "
    "harbour.",
    "If money were no object I'd pack it all in and move to {location}. A person can "
    "dream.",
    "A recruiter from {employer} messaged me out of nowhere. Not interested, but "
    "flattering.",
    "My brother-in-law works at {employer} and won't stop talking about his share "
    "options.",
    "What does a {job} actually do all day? My nephew wants to be one.",
    "The neighbours' son is training to be a {job}. Good for him.",
    "My friend's new boyfriend is called {partner} and she won't stop talking about him.",
    "Is {partner} a nice name for a baby? A colleague is expecting and asked for "
    "opinions.",
    "The people next door have a dog called {pet} who barks at every delivery van.",
    "My mate went {diet} for January and lasted nine days.",
    "Would eating {diet} help with energy levels? Just curious, I'm not changing anything.",
    "A coworker keeps trying to get me into {hobby}. I keep politely declining.",
    "My dad always said he'd {plan} one day. He never did.",
    "Someone in the group chat is planning to {plan}. Sounds exhausting.",
    "A friend in the city pays {rent} a month for a studio. I'd lose my mind.",
    "Saw a job ad today offering {salary} for basically what I do. Hmm.",
    "Hypothetically, if someone offered me {salary}, would that be worth moving for?",
)

REPLIES = (
    "Got it, noted.",
    "That's a lot to take in. How are you feeling about it?",
    "Happy to help with that. Want me to start with a short list?",
    "Sounds like quite a week, all things considered.",
    "Oof, that sounds tiring.",
    "Thanks for the update!",
    "I can help. Do you want the short version or the detailed one?",
    "Understood, I'll keep that in mind.",
    "Makes sense. Anything else on your mind?",
)
