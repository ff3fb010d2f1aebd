"""The ``fresh`` set of the conversational update benchmark: the project's honest check.

Written without looking at the rule extractor (``engramdb.text.slots``,
``write.extract``) or at the phrasings of ``dev`` and ``heldout``, and kept out of
the extractor's tuning: six new personas, values of their own, and every attribute
stated the way people talk to an assistant: longer turns, asides, contractions,
statements inside stories ("the movers lost a box on the way to {v}"), a few only
implied, and distractors that carry values of the same kinds (a sister's city, a
friend's employer, a hypothetical move, a past internship, a cousin's job). After a
change, later sessions sometimes mention the old value again in passing (an
"echo": "I do miss the coffee in {old}") without making it current.

Same structure as :mod:`engramdb.bench._update_world` (which the generator reads
through the same names), plus ``ECHOES`` and slot-filled ``DISTRACTORS``
(``{location}``, ``{employer}``... filled with values the persona never holds).
Placeholders: ``{v}`` the value, ``{old}`` the value before, ``{n}`` the persona.
"""

from __future__ import annotations

from ._update_world import ATTRS

__all__ = ["ATTRS", "DISTRACTORS", "DISTRACTOR_SHARE", "ECHOES", "FILLER", "PERSONAS",
           "PHRASES", "QUESTIONS", "REPLIES", "SLOTTED", "UNANSWERABLE", "VALUES"]

SLOTTED = True  # distractors are filled per attribute, avoiding the persona's own values
DISTRACTOR_SHARE = 0.45

VALUES: dict[str, tuple[str, ...]] = {
    "location": ("Tacoma", "Pittsburgh", "Albuquerque", "Halifax", "Glasgow", "Nashville",
                 "Rotterdam", "Wellington", "Sacramento", "Valencia", "Minneapolis",
                 "Savannah", "Edinburgh", "Ottawa"),
    "employer": ("Redwood Dental", "Kestrel Aerospace", "Bluepoint Credit Union",
                 "Lantern Studios", "Greenleaf Grocers", "Stonebridge Consulting",
                 "Pinecrest Hospital", "Ironclad Security", "Saltmarsh Brewing",
                 "Copperline Telecom", "Wrenfield Publishing", "Ferris & Cole"),
    "job": ("paralegal", "physical therapist", "line cook", "UX researcher", "electrician",
            "school counselor", "veterinary technician", "copywriter", "data engineer",
            "project coordinator", "dental hygienist", "social worker"),
    "partner": ("Callum", "Yasmin", "Tobias", "Mei", "Andre", "Freya", "Kofi", "Lena",
                "Mateo", "Sunita", "Gus", "Ines"),
    "pet": ("Waffles", "Noodle", "Clementine", "Marbles", "Hazelnut", "Dumpling", "Pickles",
            "Sprocket", "Bramble", "Ollie"),
    "diet": ("keto", "gluten-free", "dairy-free", "vegan", "paleo"),
    "hobby": ("bouldering", "watercolor painting", "beekeeping", "ceramics",
              "open water swimming", "board game design", "embroidery", "cycling",
              "improv comedy", "fly fishing"),
    "plan": ("hike the Appalachian Trail", "start a podcast", "learn to sail",
             "get a pilot's license", "renovate a farmhouse", "run for city council",
             "foster kittens", "learn Portuguese"),
    "rent": ("$1,375", "$1,990", "$2,250", "$2,600", "$1,725", "$3,150", "$2,080"),
    "salary": ("$61,500", "$79,000", "$88,500", "$102,000", "$117,000", "$136,000",
               "$71,250"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "fresh": ("Dmitri", "Olu", "Harriet", "Sione", "Beatriz", "Wendell"),
}

_LOCATION = ((
    "So I've been living in {v} for about three years now, and honestly the winters are "
    "the only thing I'd change.",
    "Quick context before I ask: I'm based in {v}, so whatever you suggest has to work "
    "around that.",
    "Our little apartment in {v} gets the afternoon sun, which my plants love, but it "
    "turns the living room into a sauna in July.",
    "I'm in {v}, by the way. Grew up somewhere else, but this is home now.",
    "Can you recommend a weekend bakery crawl? I live in {v} and I feel like I've only "
    "scratched the surface.",
), (
    "Ugh, the movers lost a box on the way to {v}, and of course it's the one with all "
    "my kitchen knives.",
    "Big news, we did it: signed the lease, and we're officially out of {old} and into "
    "a place in {v}.",
    "Still unpacking, but I'm writing this from my new living room in {v} and it "
    "already feels right.",
    "I keep giving people my old address in {old} by accident, which is embarrassing "
    "since I've been in {v} for a few weeks now.",
    "Finally got my library card from the {v} public library, so I guess it's official, "
    "I'm a local.",
    "The neighbors here in {v} already invited us to a block party, which never "
    "happened once in all my years in {old}.",
))

_EMPLOYER = ((
    "I work at {v}, have for a while, mostly on the boring-but-important side of things.",
    "Long day at {v} again; we had three back-to-back meetings that could've been emails.",
    "So my company, {v}, is doing this step-count challenge and I got roped in, naturally.",
    "I've been with {v} since before the pandemic, which around here makes me a fossil.",
), (
    "Handed in my badge at {old} on Friday and started at {v} this morning, my head is "
    "spinning.",
    "I took the offer from {v}! It was a tough call, but I couldn't pass it up.",
    "First paycheck from {v} just landed and, okay, leaving {old} was the right move.",
    "So onboarding at {v} is a whole week of videos about password hygiene, send help.",
    "Everyone at {v} eats lunch at their desks, which is a bit of a culture shock after "
    "{old}.",
    "My last day at {old} was weird and emotional, but the folks at {v} have been lovely "
    "so far.",
))

_JOB = ((
    "I'm a {v}, so my days are pretty much back-to-back and I rarely get a proper lunch.",
    "Work-wise, I've been a {v} for about six years, and I still like it most days.",
    "Being a {v} means people assume I can fix everything, which, to be fair, I mostly can.",
    "As a {v} I spend way too much time on paperwork, nobody tells you that part.",
), (
    "I finally made the switch: I'm a {v} now, not a {old} anymore, and it's terrifying "
    "in a good way.",
    "They promoted me! New title is {v}, and yes, I made my mom call me that all weekend.",
    "The retraining paid off, as of this month I'm officially working as a {v}.",
    "Turns out being a {v} is way more meetings than I expected, but I don't miss being "
    "a {old} at all.",
    "Got my new business cards today and the words '{v}' on them still look strange to me.",
))

_PARTNER = ((
    "My partner {v} and I are trying to plan a trip, but we can't agree on beach versus "
    "mountains.",
    "{v}, my other half, thinks I'm overthinking this, so I wanted a second opinion.",
    "I've been with {v} for almost four years, and we still fight about how to load the "
    "dishwasher.",
    "Date night tonight with {v}; any ideas for somewhere that isn't the same Thai place "
    "again?",
), (
    "So {old} and I broke up back in the spring, and, surprise, I've been seeing someone "
    "new: {v}.",
    "I met {v} at a friend's barbecue and we've been together ever since, it's been about "
    "two months.",
    "Things with {v} are getting serious, we're already talking about moving in together.",
    "After everything with {old} I wasn't looking, but then {v} happened and now I'm "
    "hopelessly smitten.",
    "{v} met my parents this weekend and my dad actually laughed at the jokes, which is "
    "unheard of.",
))

_PET = ((
    "We have a cat called {v} who thinks 5am is the perfect time for breakfast.",
    "My dog {v} ate half a sock yesterday, so that was a fun evening at the vet.",
    "{v}, my ridiculous little rescue, has learned to open the pantry door, so that's "
    "where we are.",
    "Can you help me put together a pet sitter checklist? {v} hates being left alone.",
), (
    "We adopted a puppy and named her {v}; {old} is not thrilled about the new roommate.",
    "Sadly we lost {old} this winter, but a few weeks ago we brought home a kitten, {v}, "
    "and she's helping.",
    "Meet the newest member of the family: {v}! Picked him up from the shelter on Saturday.",
    "{v} chewed through the charger cable again, new puppies are a full-time job.",
    "I still set out two bowls sometimes out of habit, but it's just {v} now since {old} "
    "passed.",
))

_DIET = ((
    "I eat {v}, so please don't suggest anything with a bunch of exceptions.",
    "Heads up for recipe ideas: I'm {v} and have been for a couple of years.",
    "Been {v} since college; it started as a dare with my roommate and just stuck.",
    "Going {v} was the best thing I did for my energy, though eating out is still a pain.",
), (
    "I switched to {v} about a month ago, my doctor's suggestion, so my old {old} recipes "
    "are mostly out.",
    "Okay, don't laugh, but I've gone {v}. The {old} thing just wasn't working for me "
    "anymore.",
    "New month, new me: I'm doing {v} now, and I already miss my old routine.",
    "Spent forty minutes in the grocery store reading labels because everything has to be "
    "{v} for me now.",
    "Since I quit {old} and started eating {v}, my sleep has been way better, weirdly.",
))

_HOBBY = ((
    "My weekends mostly go to {v}; it's the only thing that really gets me off my phone.",
    "I got into {v} a couple of years back and now half my closet is gear for it.",
    "Is it normal to think about {v} during work meetings? Asking for me.",
    "{v} is my thing. I'm not great at it, but I love it anyway.",
), (
    "I've kind of drifted away from {old}, and I've been really into {v} lately instead.",
    "Signed up for a {v} class on Tuesdays, and honestly it's the highlight of my week now.",
    "My knees told me to quit {old}, so I picked up {v}, which is way gentler.",
    "Spent all of Saturday on {v} and didn't even notice the time go by.",
    "Sold all my {old} stuff on Marketplace; {v} is where my free time goes now.",
))

_PLAN = ((
    "My big goal for the next couple of years is to {v}, and I'm trying to actually plan "
    "it this time.",
    "I've been saving up because I want to {v}; I keep telling everyone so I can't back out.",
    "Can you help me make a plan? I really want to {v} but I don't know where to start.",
    "Someday soon I'm going to {v}. I've got a spreadsheet and everything.",
), (
    "I've shelved the idea to {old}; what I actually want now is to {v}.",
    "Change of plans: forget trying to {old}, I'm going to {v} instead.",
    "After a lot of back and forth I've decided to {v}, and I've already told my family, "
    "so it's real.",
    "My new lock screen is a reminder to {v}, so I see it every time I pick up my phone.",
))

_RENT = ((
    "Rent's {v} a month here, which is steep, but it includes parking.",
    "I pay {v} for a one-bedroom, and my landlord still won't fix the dishwasher.",
    "Budget question: with rent at {v} a month, how much should I be putting into savings?",
    "Our place is {v} a month, which I thought was a steal when we signed.",
), (
    "The lease renewal came in and rent is going up to {v}. It was {old}, so that stings.",
    "The landlord dropped the rent to {v} after I pointed out the mold, down from {old}.",
    "Now that I'm paying {v} a month I'm definitely eating out less.",
    "Wrote my first {v} rent check for the new place and winced a little.",
    "My landlord sent a letter: starting next month it's {v}, no explanation.",
))

_SALARY = ((
    "I make {v} a year, which sounded like a lot until I saw what groceries cost.",
    "For the budget stuff: my salary is {v} before taxes.",
    "I'm on {v} right now, and I'm wondering if I should be asking for more.",
    "My offer letter said {v}, and I've been there long enough that it feels low.",
), (
    "I got the raise! I'm at {v} now, up from {old}, and I've already mentally spent it.",
    "They matched the other offer, so my salary is {v} starting next pay period.",
    "HR finally sent the new contract: {v} a year, which is more than I expected.",
    "First paycheck at the {v} salary hit my account and I stared at it for a full minute.",
    "Honestly, going from {old} to {v} doesn't feel real yet.",
))

PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {"fresh": {
    "location": _LOCATION, "employer": _EMPLOYER, "job": _JOB, "partner": _PARTNER,
    "pet": _PET, "diet": _DIET, "hobby": _HOBBY, "plan": _PLAN, "rent": _RENT,
    "salary": _SALARY,
}}

# The old value mentioned again in passing, sessions after it changed: never current.
ECHOES: dict[str, tuple[str, ...]] = {
    "location": ("Ran into someone from my old street in {old} at the airport, small world.",
                 "I do miss the coffee shops back in {old}, nothing here comes close."),
    "employer": ("Grabbed drinks with a few people from {old} last night; they're still "
                 "complaining about the same stuff.",),
    "job": ("Found my old {old} notes in a drawer and got weirdly nostalgic.",),
    "partner": ("Saw {old} at the grocery store and we did that awkward wave thing.",),
    "pet": ("Found one of {old}'s old toys under the couch and had a little cry.",),
    "diet": ("My old {old} cookbook is still on the shelf; I can't bring myself to donate it.",),
    "hobby": ("My {old} stuff is still in the closet, gathering dust.",),
    "plan": ("Funny, a year ago I was dead set on trying to {old}; feels like a different "
             "person.",),
    "rent": ("Remember when rent was {old}? Those were the days.",),
    "salary": ("Back when I was on {old} I never would've bought this, so that's progress.",),
}

QUESTIONS: dict[str, tuple[str, str, str]] = {
    "location": ("Which city is {n} living in at the moment?",
                 "Which city was {n} living in before {new}?", "When did {n} relocate to {new}?"),
    "employer": ("Who is {n}'s current employer?",
                 "Which company did {n} work for before {new}?", "When did {n} join {new}?"),
    "job": ("What is {n}'s job title now?", "What was {n}'s job title before {new}?",
            "When did {n}'s job title change to {new}?"),
    "partner": ("Who is {n} seeing these days?", "Who was {n}'s partner before {new}?",
                "When did {n} start dating {new}?"),
    "pet": ("What's the name of {n}'s latest pet?", "Which pet did {n} have before {new}?",
            "When did {new} join {n}'s household?"),
    "diet": ("What kind of diet is {n} on now?", "Which diet did {n} follow before {new}?",
             "When did {n} switch to {new}?"),
    "hobby": ("What does {n} do for fun lately?", "Which hobby was {n} into before {new}?",
              "When did {n} get into {new}?"),
    "plan": ("What is {n}'s big goal right now?",
             "What goal did {n} have before deciding to {new}?", "When did {n} decide to {new}?"),
    "rent": ("What does {n} pay in rent at the moment?",
             "What was {n}'s rent before it became {new}?", "When did {n}'s rent go to {new}?"),
    "salary": ("What is {n}'s salary now?", "What was {n} paid before {new}?",
               "When did {n}'s pay change to {new}?"),
}

# Never answered in any conversation; several are near misses (the landlord, the
# partner and the pet are talked about, their name, job or breed never are).
UNANSWERABLE = ("What is the name of {n}'s landlord?", "What kind of car does {n} drive?",
                "Which high school did {n} go to?", "What is {n}'s favorite band?",
                "What breed is {n}'s pet?", "How many kids does {n} have?",
                "Where did {n} go on their honeymoon?", "What is {n}'s blood type?",
                "What does {n}'s partner do for work?", "Which gym does {n} go to?")

FILLER = (
    "Can you give me a quick stretch routine? I've been hunched over my laptop all day and "
    "my neck is killing me.",
    "What's a good way to say no to weekend plans without sounding rude? I'm just wiped out.",
    "Help me write a birthday message for a coworker I barely know, something warm but "
    "not weird.",
    "Is it bad to water succulents once a week? Mine are looking kind of sad.",
    "I binged an entire season of a baking show last night and now I want to make "
    "croissants, which is a terrible idea.",
    "Any tips for falling asleep when your brain won't shut up? Asking at 1am, obviously.",
    "My phone screen cracked again, third time this year, I'm cursed.",
    "What should I cook tonight with half a cabbage, some rice and a sad-looking lemon?",
    "It's been raining for five days straight and I'm starting to lose it a little.",
    "Can you explain compound interest like I'm five? I nodded along in a meeting today "
    "and I have no idea.",
)

DISTRACTORS = (
    "My sister just moved to {location} and won't stop sending me pictures of the harbor.",
    "My best friend Dev got hired at {employer}, so now I hear about their cafeteria "
    "every single day.",
    "If I ever got the chance I'd move to {location} in a heartbeat, but that's a fantasy.",
    "My cousin's been a {job} for ten years and swears I'd hate it.",
    "My roommate from college just told me she's making {salary} now. Good for her, honestly.",
    "The neighbors' dog {pet} keeps digging under our fence, and I can't even be mad.",
    "My mom has gone {diet} and now every family dinner is a negotiation.",
    "A coworker keeps trying to get me into {hobby}, but I really don't have the time.",
    "My friend Tess is dating a guy named {partner}, and she wants a double date next week.",
    "Back in college I spent a summer in {location}, and I still think about the food.",
    "I almost took a job at {employer} years ago; sometimes I wonder how that would've gone.",
    "My dad keeps saying he wants to {plan}, but he's been saying that since I was ten.",
    "If I'm ever paid {salary} I'm buying a ridiculous espresso machine.",
    "I interned at {employer} one summer, which mostly meant fetching coffee.",
    "My aunt pays {rent} in rent and she's got a balcony, so I'm a little jealous.",
    "Hypothetically, what would it take to become a {job}? Just curious, not planning "
    "anything.",
    "My old roommate moved to {location} to work at {employer}, and she seems happy.",
)

REPLIES = (
    "Oh, that's a lot going on! Want me to help you break it down?",
    "Got it, thanks for filling me in.",
    "That makes sense. How are you feeling about it?",
    "Ha, fair enough. Let me know if you want ideas.",
    "Noted! Anything else on your mind today?",
    "That sounds like a big week. Here's a thought, if it helps: take it one step at a time.",
)
