"""The ``fresh2`` set of the conversational update benchmark: a second blind check.

Written on 2026-12-03 (session 3) without reading the rule extractor
(``engramdb.text.slots`` and its cue, value and word tables, ``write.extract``) and
never used to tune anything. Six personas whose lives differ from ``fresh``'s (a
retiree, a nurse on rotating shifts, a student abroad, a freelancer, a parent of
teenagers, a musician), each with a few lines about that life in the chit-chat
(``LIVES``) and, for job and employer, values that fit it (``PERSONA_VALUES``).

Statements are written as people type to an assistant: several sentences per turn,
the value often in a different sentence than the word that says what it is ("We
signed the papers on Thursday. ... {v} it is."), some changes only implied (a new
manager at {v}, a vet visit for {v}), some said in passing inside a request about
something else (a tax question that mentions the move), and echoes of old values.
Distractors carry values of the same kinds for other people (a brother's new city,
a bandmate's employer, a neighbour's diet) or for hypotheticals.

Same structure as :mod:`engramdb.bench._update_world_fresh`; placeholders: ``{v}``
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
    "location": ("Asheville", "Duluth", "Bergen", "Braga", "Kyoto", "Tucson", "Leeds",
                 "Hobart", "Boise", "Ghent", "Tallinn", "Santa Fe", "Trieste", "Missoula"),
    "employer": ("Larkspur Media", "Tinworks Robotics", "Alder Creek Clinic",
                 "Bellhaven Foods", "Quillon Labs", "Orca Freight", "Mossgrove Bank",
                 "Driftwood Theatre", "Canopy Solar", "Halberd Games", "Thistle & Vine",
                 "Pemberton Insurance"),
    "job": ("claims adjuster", "sound engineer", "museum guide", "lab technician",
            "event planner", "speech therapist", "radio producer", "librarian",
            "tour guide", "recruiter", "sommelier", "locksmith"),
    "partner": ("Rhiannon", "Bastian", "Oksana", "Thandiwe", "Emeric", "Priyanka", "Soren",
                "Lucinda", "Anselm", "Marisol", "Dashiell", "Wren"),
    "pet": ("Biscotti", "Tofu", "Pumpernickel", "Juniper", "Gizmo", "Nutmeg", "Rascal",
            "Mango", "Pretzel", "Chutney"),
    "diet": ("low-sodium", "low-carb", "flexitarian", "plant-based", "low-FODMAP",
             "lactose-free"),
    "hobby": ("geocaching", "woodturning", "kayaking", "stained glass", "calligraphy",
              "tai chi", "crossword construction", "orienteering", "archery",
              "quilting", "pickleball"),
    "plan": ("walk the Camino de Santiago", "open a secondhand bookshop",
             "buy a sailboat", "learn to weld", "do a half Ironman",
             "move somewhere with real winters", "write a cookbook", "get a master's degree"),
    "rent": ("$1,640", "$2,315", "$985", "$1,120", "$2,870", "$1,455", "$3,400"),
    "salary": ("$58,400", "$83,750", "$96,200", "$121,500", "$44,900", "$67,300",
               "$142,000"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "fresh2": ("Marguerite", "Adaeze", "Kaito", "Rafaela", "Declan", "Sunniva"),
}

# Job and employer values that fit each life (the retiree's part-time gigs, the nurse's
# wards...); the other attributes draw from VALUES.
PERSONA_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "Marguerite": {"job": ("museum docent", "part-time bookkeeper", "substitute teacher"),
                   "employer": ("Harrow Valley Museum", "Pinehurst Library",
                                "Brindle Hardware")},
    "Adaeze": {"job": ("intensive care nurse", "charge nurse", "nurse educator"),
               "employer": ("St. Brendan's Hospital", "Mercy Ridge Medical Center",
                            "Lakeshore Hospice")},
    "Kaito": {"job": ("research assistant", "teaching assistant", "barista"),
              "employer": ("Kleinfeld Institute", "Café Ostara", "Lumen Language School")},
    "Rafaela": {"job": ("freelance illustrator", "brand designer", "art director"),
                "employer": ("Pomelo Creative", "Saltbox Agency", "Verdant Press")},
    "Declan": {"job": ("site manager", "operations manager", "driving instructor"),
               "employer": ("Castlerock Builders", "Tallow Logistics", "Greystone Council")},
    "Sunniva": {"job": ("session cellist", "music teacher", "orchestra librarian"),
                "employer": ("Northlight Symphony", "Fjordline Records",
                             "Brightwater Academy")},
}

_LOCATION = ((
    "Can you help me plan a day trip for this weekend? Something within two hours of {v}, "
    "ideally with a decent lunch spot. My knees aren't up for big hikes anymore.",
    "I've lived in {v} for going on eleven years. It's not perfect, parking is a nightmare "
    "and the summers drag, but the people are kind and I know where everything is.",
    "Okay, so context for the rest of this chat: home base is {v}. I mention it because "
    "every time I ask for restaurant ideas I get stuff from the wrong side of the country.",
    "It snowed again last night. Everyone keeps telling me this is a mild winter for {v}, "
    "which, if true, I don't want to see a bad one.",
    "My whole life is within about four blocks. Work, the grocery store, the laundromat, "
    "the park where I run. That's {v} for you, or at least my corner of it.",
), (
    "Well, it's done. The truck came on Saturday, my brother-in-law drove the second load, "
    "and I slept on a mattress on the floor last night. {v} is home now, I suppose, and I "
    "still can't find the kettle.",
    "Quick tax question. I moved partway through the year, so I lived in {old} until "
    "June and I've been in {v} since. Do I need to file in both places?",
    "I keep walking the wrong way out of the front door. Three weeks in {v} and my feet "
    "still think they're in {old}.",
    "We signed the papers on Thursday. It's smaller than the old place, but there's a "
    "little balcony and a bakery on the corner. {v} it is!",
    "Now that I'm only a ten-minute walk from the {v} farmers market, I've been buying "
    "far too many peaches. Any ideas for using up a whole box before they turn?",
    "Could you help me update my emergency contact card? Same people, just a new address, "
    "the new place is across town from the station in {v}.",
))

_EMPLOYER = ((
    "I've been at {v} for ages. Long enough that I remember when the break room had a "
    "typewriter in it, which tells you something.",
    "Rough week. {v} is switching everyone to a new scheduling system and nobody, "
    "including the people who picked it, knows how it works.",
    "Do you know good ways to make small talk at a work party? The {v} holiday do is on "
    "Friday and I always end up hovering by the snacks.",
    "Work is fine. It's {v}, it's steady, it pays the bills. I just wish the commute "
    "were shorter.",
), (
    "So, news. I gave notice at {old} two weeks ago and today was my first shift at {v}. "
    "Everyone seems nice, and the coffee is marginally less awful.",
    "My new manager at {v} asked me what I want to get out of my first ninety days and I "
    "completely blanked. What's a good answer to that?",
    "The badge photo is hideous, but it's official: I'm on the payroll at {v}. I'll miss "
    "a couple of people from {old}, not the place.",
    "They called back! I said yes. It took three interviews and a take-home task, but "
    "starting next month I'll be working at {v}.",
    "I'm filling in the direct deposit form for my new job and it wants the employer name "
    "spelled exactly as on the contract. I've typed '{v}'. Is that enough, or do they "
    "want the legal entity name?",
    "Orientation at {v} today was eight hours of slides. Honestly, I preferred the "
    "chaos at {old}, at least it was never boring.",
))

_JOB = ((
    "I'm a {v}. It's not glamorous, but I'm good at it and most days I like it.",
    "Work stuff: I've been a {v} for a long while now, so if you're explaining something "
    "in my field you can skip the basics.",
    "Can you help me write a short bio for a conference badge? Just one line, the usual: "
    "name, that I'm a {v}, and that I like terrible puns.",
    "People at parties always ask what a {v} actually does all day, and I never have a "
    "good short answer. Help me come up with one?",
), (
    "Big change at work: I'm not a {old} anymore. I start as a {v} on Monday, and I'm "
    "equal parts thrilled and terrified.",
    "I spent the whole weekend studying, because as of this week I'm a {v}. Nobody warned "
    "me about the amount of new jargon.",
    "My manager pulled me aside on Friday. The short version is that I'm the new {v}, "
    "effective immediately. The long version involves a lot of paperwork.",
    "Can you help me fix my LinkedIn headline? It still says {old}, and I've been a {v} "
    "for a month now.",
    "It's weird, after years of being a {old}, introducing myself as a {v}. I keep "
    "tripping over the words.",
))

_PARTNER = ((
    "{v} and I have been together for six years this spring. I want to do something for "
    "the anniversary that isn't dinner. Ideas?",
    "My partner, {v}, says I ask you too many questions. I say that's what you're for.",
    "I need a gift for {v}. We've been together a long time and I've run out of ideas. "
    "They like gardening and terrible reality TV.",
    "Can you help me settle an argument? {v} thinks you should rinse dishes before the "
    "dishwasher and I think that defeats the point.",
), (
    "Things ended with {old} in the autumn. It was mutual and it was time. And, well, "
    "I've been seeing someone since. Their name is {v}.",
    "{v} stayed over again last night and has now claimed a drawer, so I think we're "
    "official? I haven't had a drawer conversation since {old}.",
    "I'm meeting {v}'s parents on Sunday and I'm a wreck. What do you bring to a first "
    "family lunch? We've only been together since March.",
    "A friend set me up on a blind date in January. It's been four months now, and "
    "{v} is honestly the best thing that's happened to me in years.",
    "Moving in together is a big step, right? {v} brought it up last night. After how "
    "things went with {old} I want to be sure.",
))

_PET = ((
    "The cat, {v}, has decided 4 a.m. is breakfast time. Any tricks for that, short of "
    "moving out?",
    "I'm going away for three days and need to leave instructions for the sitter. {v} "
    "gets half a scoop morning and night and will lie about it.",
    "Our old dog {v} has started slowing down on walks. Nothing wrong according to the "
    "vet, just age, but it makes me sad.",
    "Is it normal for a dog to be scared of the vacuum after years of ignoring it? {v} "
    "is hiding under the bed as I type.",
), (
    "We went to the shelter just to look. Famous last words. So, meet {v}, a "
    "three-year-old mutt who snores like a trucker.",
    "Vet visit for {v} today. First round of shots, all fine. She's tiny and terrified of "
    "the stairs, so I carry her up like a sack of potatoes.",
    "It's been a hard few months since {old} died. The house was too quiet. Last week we "
    "brought home a kitten, and the kids named him {v}.",
    "I'm typing one-handed because {v} has decided my lap is her bed now. The rescue said "
    "she'd be shy. She is not shy.",
    "Training question. {v} is a puppy and chews everything, including the corner of the "
    "couch {old} never touched in twelve years.",
))

_DIET = ((
    "For recipes, I eat {v}, and have for years. My doctor's happy, my cholesterol is "
    "happy, so please keep suggestions in that lane.",
    "Meal-prep help? Five lunches, nothing fancy. I'm {v}, if that matters.",
    "When I say I eat {v}, people assume it's a phase. It's been about eight years now.",
    "Restaurant question: we're going to a steakhouse for a birthday. I'm {v}, so what do "
    "I order that isn't just a side salad?",
), (
    "I went to a barbecue on Sunday and just had the coleslaw. That's life now: I'm {v} "
    "on my gastroenterologist's orders, and the {old} stuff I used to cook is off the table.",
    "New eating plan since last month. The {old} thing was fine, but my energy was all "
    "over the place, so I've switched. I'm doing {v} now. Any good breakfast ideas?",
    "Grocery run took an hour because I read every label. Everything has to be {v} for me "
    "now. How do people do this?",
    "Can you check this recipe for me? Since I changed how I eat it needs to be {v}, and "
    "I'm not sure about the sauce.",
    "My family thinks I'm being dramatic. I was {old} for ages, and now I'm {v}, and "
    "apparently that means I've 'ruined' Sunday lunch.",
))

_HOBBY = ((
    "Saturday mornings are for {v}. It's my time, phone off, nobody asking me for "
    "anything.",
    "I've been into {v} for a few years now. I'm still bad at it, but I'm bad at it "
    "happily.",
    "Can you recommend some good beginner books? Not for me, I've been doing {v} forever, "
    "but my nephew wants to start.",
    "My one thing outside work is {v}. It keeps me sane, mostly.",
), (
    "I haven't touched my {old} gear since the summer, if I'm honest. I got hooked on "
    "something else. It's {v} now, three evenings a week.",
    "There's a community class on Thursdays I started going to. {v}, of all things. I "
    "love it more than I expected.",
    "My shoulder put an end to {old}, physio's orders. So I needed something gentler, and "
    "a friend dragged me to try {v}. I'm hooked.",
    "Can you help me make a budget for new gear? I've been getting really into {v} and "
    "the beginner stuff isn't cutting it anymore.",
    "Spent all of Sunday at it again and didn't notice the time. {v} has taken over my "
    "weekends, and my partner is starting to notice.",
))

_PLAN = ((
    "My long-term dream is to {v}. It's probably a few years off, but I think about it "
    "most days.",
    "Can you help me make a savings plan? I want to {v} in the next couple of years and "
    "right now I have zero dollars toward it.",
    "Don't laugh, but I've always wanted to {v}. I'm finally at a point where it feels "
    "possible.",
    "The thing I keep coming back to when I daydream: I want to {v}. Everything else is "
    "noise.",
), (
    "I've let go of the idea to {old}. It was a nice dream, but it was someone else's. "
    "What I actually want is to {v}.",
    "Funny how things change. Six months ago I was all in on trying to {old}, and now all "
    "I can think about is how to {v}.",
    "I told my sister last night, so now I have to go through with it. I'm going to {v}. "
    "Can you help me sketch a timeline?",
    "My vision board had one thing on it for years. I took it down on Sunday. The new "
    "one says: {v}.",
))

_RENT = ((
    "Budget help, please. Take-home is tight, and rent alone is {v} a month, so I need "
    "to find savings elsewhere.",
    "The flat is {v} a month, which is fair for the area, but it's an old building and "
    "the heating is a mystery.",
    "How much should I keep as an emergency fund? For context, my biggest bill is rent, "
    "{v}, and everything else is small.",
    "I pay {v} for a one-bedroom above a bakery. Mornings smell amazing, the stairs less "
    "so.",
), (
    "The renewal letter came today. They want {v} from next month. It was {old}, and "
    "nothing in the place has been fixed in a year.",
    "Since the move my rent is {v}, and I'm trying to rebuild my budget around it. Can "
    "you help me redo the spreadsheet?",
    "After a lot of back and forth with the property manager we settled. The new figure "
    "is {v} a month, which I can live with.",
    "Rent day again. {v} out the door, and I still miss when it was {old}.",
    "The landlord sold the building and the new owners raised everyone. Mine went up. "
    "{v} now, starting this month.",
))

_SALARY = ((
    "Salary negotiation question: I'm on {v} and I think I'm underpaid for what I do. How "
    "do I bring that up?",
    "For the budgeting stuff, my income is {v} a year before tax.",
    "I make {v}. It's fine, not great, and with prices the way they are it feels smaller "
    "every month.",
    "Can you help me estimate my take-home? Gross is {v} a year and I'm not sure what "
    "comes off.",
), (
    "Good news, finally. The review went well and they bumped me up. I'm on {v} now, up "
    "from {old}.",
    "The new contract arrived this morning. {v} a year. I read the number three times to "
    "make sure.",
    "With the new role my pay changed too. It's {v} now. What should I do with the "
    "difference, savings or debt first?",
    "I negotiated! Asked for more than I thought they'd give, and they came back with "
    "{v}. I was on {old} before.",
    "First payslip at the new rate came through. {v} a year, gross. I might actually "
    "start a pension properly.",
))

PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {"fresh2": {
    "location": _LOCATION, "employer": _EMPLOYER, "job": _JOB, "partner": _PARTNER,
    "pet": _PET, "diet": _DIET, "hobby": _HOBBY, "plan": _PLAN, "rent": _RENT,
    "salary": _SALARY,
}}

# The old value mentioned again in passing, sessions after it changed: never current.
ECHOES: dict[str, tuple[str, ...]] = {
    "location": ("A postcard from {old} came for me today, forwarded from my old address. "
                 "Somebody there hasn't updated their list.",
                 "Someone asked where I'm from and I almost said {old} out of habit."),
    "employer": ("Got an email from the {old} alumni group. I don't know why I'm still on "
                 "that list.",),
    "job": ("I found my old {old} notebook while cleaning. Feels like a different life.",),
    "partner": ("Bumped into {old} at the pharmacy. We were polite. It was fine, mostly.",),
    "pet": ("Found one of {old}'s old collars in the drawer. Had a little moment.",),
    "diet": ("My {old} cookbook is still on the shelf. Can't bring myself to give it away.",),
    "hobby": ("The {old} stuff is still in the garage, gathering dust.",),
    "plan": ("I used to be so sure I'd {old}. Funny how that faded.",),
    "rent": ("Remember when rent was {old}? Those were the days.",),
    "salary": ("Back when I was on {old} I'd never have bought this. Progress.",),
}

QUESTIONS: dict[str, tuple[str, str, str]] = {
    "location": ("Where does {n} call home these days?",
                 "Where was {n} based before {new}?",
                 "When did {n} move to {new}?"),
    "employer": ("Which company or organisation does {n} work for now?",
                 "Where was {n} employed before {new}?",
                 "When did {n} start at {new}?"),
    "job": ("What does {n} do for a living now?",
            "What was {n}'s role before {new}?",
            "When did {n} start working as {new}?"),
    "partner": ("Who is {n} in a relationship with now?",
                "Who was {n} with before {new}?",
                "When did {n} and {new} get together?"),
    "pet": ("What is {n}'s pet called now?",
            "What was the name of {n}'s pet before {new}?",
            "When did {n} get {new}?"),
    "diet": ("How does {n} eat these days?",
             "What did {n} eat before going {new}?",
             "When did {n} start eating {new}?"),
    "hobby": ("What does {n} spend free time on now?",
              "What was {n}'s hobby before {new}?",
              "When did {n} start {new}?"),
    "plan": ("What does {n} want to do in the next few years?",
             "What did {n} want to do before deciding to {new}?",
             "When did {n} decide to {new}?"),
    "rent": ("How much is {n}'s rent currently?",
             "What was {n}'s rent before {new}?",
             "When did {n}'s rent become {new}?"),
    "salary": ("How much does {n} make a year now?",
               "What was {n}'s pay before {new}?",
               "When did {n}'s income go to {new}?"),
}

# Never answered in any conversation. Near misses: the partner, pet, landlord and
# doctor are talked about, their age, vet, name or specialty never are.
UNANSWERABLE = ("What is {n}'s middle name?", "Which airline does {n} usually fly?",
                "How old is {n}'s partner?", "What is {n}'s shoe size?",
                "What was {n}'s first car?", "What is the name of {n}'s dentist?",
                "Which football team does {n} support?", "What is {n}'s star sign?",
                "What allergies does {n} have?", "Which language did {n} study at school?")

FILLER = (
    "Can you explain what an index fund is? My nephew keeps going on about them and I "
    "nodded along, but I have no idea what he meant.",
    "What's a polite way to leave a group chat? It's two hundred messages a day about a "
    "reunion I'm not even going to.",
    "I burned the rice again. How do people get it right every time? I've tried the "
    "finger trick and it never works.",
    "Could you help me write a thank-you note to a neighbour who watered my plants? "
    "Something short, not gushing.",
    "My laptop fan sounds like a jet engine. Is that something I can fix myself, or is it "
    "time to give up on it?",
    "Give me a ten-minute stretch I can do before bed. My back has opinions today.",
    "It's been grey for a week straight and I've lost all motivation. Any small things "
    "that actually help?",
    "Is it worth getting a rice cooker, or is that one more gadget I'll use twice?",
    "How long do eggs really last in the fridge? Asking for a carton of questionable age.",
    "Help me figure out a gift for a coworker's leaving do. Budget is about twenty, and I "
    "barely know her.",
)

# What each persona's life is like, in passing; none of it states an attribute value.
LIVES: dict[str, tuple[str, ...]] = {
    "Marguerite": (
        "The grandkids are coming for a week in August. What can I do with a seven-year-old "
        "and a ten-year-old that doesn't involve screens or theme parks?",
        "Now that I'm retired, the days have no shape. I used to dream about free time, "
        "and now I make lists just to have something to tick off.",
        "My pension statement came and I don't understand half of it. Can you explain what "
        "a commutation factor is in plain words?",
    ),
    "Adaeze": (
        "Just came off three twelve-hour nights in a row. What's the best way to flip my "
        "sleep back to days without wrecking the whole week?",
        "The rota for next month came out and I've got back-to-back weekends again. How do "
        "I ask for a swap without looking like I'm complaining?",
        "Any ideas for meals I can eat at 3 a.m. on a break that won't sit like a brick?",
    ),
    "Kaito": (
        "Still getting used to the time difference with home. My parents call at what is "
        "breakfast for them and midnight for me, every single Sunday.",
        "Can you help me phrase an email to my thesis supervisor asking for an extension? "
        "In my second language everything I write sounds either rude or grovelling.",
        "My student visa renewal needs a proof of address and a bank statement. Is there "
        "anything else they usually ask for?",
    ),
    "Rafaela": (
        "A client is sixty days late on an invoice. What's a firm but polite follow-up? "
        "This is the part of working for myself I hate.",
        "I need to set aside money for quarterly taxes and I keep forgetting. Can you help "
        "me set up a simple system?",
        "Working from the kitchen table is killing my back. Any cheap ways to make a "
        "better home office setup?",
    ),
    "Declan": (
        "My fifteen-year-old wants to go to a concert two hours away with friends. Am I "
        "being unreasonable saying no? I don't know what's normal anymore.",
        "The kids eat like locusts. Three teenagers and I'm at the grocery store every two "
        "days. Help me plan bigger, cheaper batches.",
        "How do you get a seventeen-year-old to start looking at college applications "
        "without it turning into a shouting match?",
    ),
    "Sunniva": (
        "I've got a recital in two weeks and my hands shake every time I think about it. "
        "Any tricks for stage nerves that actually work?",
        "Travelling with an instrument is a nightmare. Do airlines let you buy a seat for "
        "a case, and how does that work?",
        "I practise four hours a day and my neighbours have started leaving notes. How "
        "do I soundproof a room on a budget?",
    ),
}

DISTRACTORS = (
    "My brother just moved to {location} for a girlfriend, and he's already complaining "
    "about the weather there.",
    "My best friend got a job at {employer}. She says the free lunches are the only "
    "reason anyone stays.",
    "Honestly, if money were no object I'd pack up and move to {location} tomorrow. "
    "It'll never happen, but it's nice to think about.",
    "My daughter says she wants to be a {job} when she grows up. Last month it was an "
    "astronaut, so we'll see.",
    "My neighbour's gone {diet}, so every block party now comes with a long speech about "
    "it.",
    "One of my oldest friends is dating someone called {partner} and wants us all to meet "
    "next week. I have my doubts.",
    "The people upstairs got a dog named {pet}, and it howls whenever they leave.",
    "My sister keeps trying to get me into {hobby}. I've told her ten times I'm not "
    "interested.",
    "A guy at the gym told me he makes {salary} doing basically nothing. I don't believe "
    "a word of it.",
    "My cousin pays {rent} for a studio and still thinks she got a deal.",
    "Years ago I turned down an offer from {employer}. I sometimes wonder how that would "
    "have gone.",
    "My uncle has been talking about how he's going to {plan} for twenty years now.",
    "We spent a long weekend in {location} in the spring. Lovely, but I couldn't live "
    "there.",
    "What would it take to retrain as a {job}? Purely hypothetical, I'm not going "
    "anywhere.",
    "My friend from school just left {employer} and moved to {location}. Everyone's "
    "moving except me.",
    "Someone in my building is trying to sublet for {rent} a month and I'm tempted to tell "
    "them good luck.",
    "My dad read an article and now he wants to {plan}. At seventy-four.",
)

REPLIES = (
    "That's a lot to juggle. Want to take it one piece at a time?",
    "Thanks for telling me, that's useful context.",
    "Makes sense. How are you feeling about all of it?",
    "Ha, I hear you. Happy to help with that.",
    "Got it. Let me know what you'd like to do next.",
    "Good question. Here's one way to think about it, and tell me if it doesn't fit.",
    "Sounds like a week. Anything I can take off your plate?",
)
