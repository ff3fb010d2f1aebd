"""The world of the conversational update benchmark: personas, values, phrasings.

Two disjoint sets, each with its own personas and its own phrasings of every
statement: ``dev`` (the rules of :mod:`engramdb.text.slots` were improved while
looking at it) and ``heldout`` (written at the same time, never used to tune
anything: its figures show how rules fit phrasing they were not written for).
Some phrasings only imply the value ("the commute from {v} is easy"): no rule
is expected to read those, and they count against every method.

Placeholders: ``{v}`` the value, ``{old}`` the value before, ``{n}`` the persona.
"""

from __future__ import annotations

__all__ = ["ATTRS", "FILLER", "PERSONAS", "PHRASES", "QUESTIONS", "UNANSWERABLE", "VALUES",
           "DISTRACTORS", "REPLIES"]

ATTRS = ("location", "employer", "job", "partner", "pet", "diet", "hobby", "plan", "rent",
         "salary")

VALUES: dict[str, tuple[str, ...]] = {
    "location": ("Portland", "Denver", "Austin", "Lisbon", "Toronto", "Seattle", "Chicago",
                 "Madrid", "Oslo", "Melbourne", "Dublin", "Boston", "Vienna", "Atlanta"),
    "employer": ("Fernwood Analytics", "Helio Health", "Brightline Labs", "Northwind Foods",
                 "Cobalt Robotics", "Juniper Bank", "Orchard Media", "Tidewater Energy",
                 "Quarry Software", "Maple Logistics", "Summit Insurance", "Harbor Games"),
    "job": ("data analyst", "product manager", "software engineer", "nurse",
            "graphic designer", "accountant", "teacher", "marketing lead", "pharmacist",
            "architect", "sales director", "research scientist"),
    "partner": ("Daniel", "Priya", "Marco", "Sofia", "Liam", "Hannah", "Omar", "Elena",
                "Jonas", "Chloe", "Ravi", "Nina"),
    "pet": ("Biscuit", "Pepper", "Mochi", "Luna", "Rocket", "Olive", "Ziggy", "Maple",
            "Bruno", "Pixel"),
    "diet": ("vegetarian", "vegan", "pescatarian"),
    "hobby": ("pottery", "rock climbing", "chess", "salsa dancing", "birdwatching",
              "woodworking", "sourdough baking", "trail running", "knitting", "photography"),
    "plan": ("run a marathon", "learn Japanese", "buy a house", "open a bakery",
             "travel around South America", "go back to school", "adopt a rescue dog",
             "write a novel"),
    "rent": ("$1,450", "$1,850", "$2,100", "$2,400", "$2,750", "$1,200", "$3,000"),
    "salary": ("$68,000", "$75,000", "$82,000", "$95,000", "$110,000", "$124,000"),
}

PERSONAS: dict[str, tuple[str, ...]] = {
    "dev": ("Maya", "Jordan", "Aisha", "Tomas", "Grace", "Kenji", "Lucia", "Ben"),
    "heldout": ("Farah", "Nico", "Ingrid", "Malik", "Rosa", "Theo"),
}

# (intro phrasings, change phrasings) per attribute and set. An intro states a first value;
# a change states a new one after an old one.
PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "dev": {
        "location": (("Quick background: I live in {v}.", "I'm based in {v} at the moment.",
                      "Life in {v} is good, I've lived here a few years."),
                     ("Big news: we moved to {v} last month!", "I just relocated to {v}.",
                      "I'm writing from my new apartment in {v}.",
                      "The commute from {v} is so much easier than before.")),
        "employer": (("I work at {v}.", "I've worked at {v} for three years now.",
                      "Work at {v} has been hectic."),
                     ("I started a new job at {v}!", "I've been at {v} for a month now.",
                      "I got the {v} offer and I accepted!", "I joined {v} last week.")),
        "job": (("I work as a {v}.", "I'm a {v} by trade."),
                ("I got promoted to {v}!", "My new title is {v}.",
                 "I'm officially a {v} now.")),
        "partner": (("My boyfriend {v} is cooking tonight.", "I'm dating {v}, it's going well."),
                    ("I broke up with {old}. I've been seeing {v} since spring.",
                     "{v} and I are together now.", "My new partner is {v}.")),
        "pet": (("I have a cat named {v}.", "My dog is called {v}."),
                ("Sad news, {old} passed away. We adopted a puppy called {v}.",
                 "We rescued a kitten named {v} last weekend.")),
        "diet": (("I'm {v}, so no meat for me.", "I've been {v} for years."),
                 ("I went {v} in January.", "I'm {v} now, it's been easier than expected.")),
        "hobby": (("My main hobby is {v}.", "I spend most weekends on {v}."),
                  ("I've taken up {v}!", "These days I'm really into {v}.",
                   "My new hobby is {v}.")),
        "plan": (("My plan is to {v} next year.", "I've decided to {v}."),
                 ("Change of plans: I've decided to {v} instead.",
                  "New plan: I want to {v}.")),
        "rent": (("My rent is {v} a month.", "I pay {v} in rent."),
                 ("My rent went up to {v}.", "My new rent is {v} a month.")),
        "salary": (("I make {v} a year.", "My salary is {v}."),
                   ("I got a raise, my salary is now {v}.", "I'm earning {v} a year now.")),
    },
    "heldout": {
        "location": (("Greetings from {v}, where I live.", "I've been living in {v} since college."),
                     ("We finally made the move to {v}.", "Home is {v} now.",
                      "Unpacking boxes in {v} all week.",
                      "I love my new neighbourhood in {v}.")),
        "employer": (("I'm employed at {v}.", "My employer is {v}."),
                     ("First week at {v} done!", "I left my old job and now work for {v}.",
                      "I accepted an offer from {v}.", "I was hired by {v}.")),
        "job": (("My job title is {v}.", "I'm working as a {v}."),
                ("I became a {v} this year.", "They made me {v}.")),
        "partner": (("My girlfriend {v} says hi.", "{v} is my partner."),
                    ("{old} and I split up. I'm with {v} now.", "I'm engaged to {v}!")),
        "pet": (("Our dog {v} loves the park.", "My cat's name is {v}."),
                ("We got a new puppy, {v}.", "Meet {v}, our new rescue dog.")),
        "diet": (("I'm a strict {v}.", "I eat {v}."),
                 ("I switched to a {v} diet.", "I became {v} last spring.")),
        "hobby": (("I love {v}, it's my thing.", "{v} is my hobby."),
                  ("I've gotten into {v}.", "Lately my free time goes to {v}.")),
        "plan": (("I'm hoping to {v}.", "Goal for next year: {v}."),
                 ("I've changed my mind, now I'm going to {v}.", "Now my plan is to {v}.")),
        "rent": (("Rent here is {v} a month.", "We pay {v} for the flat."),
                 ("The landlord raised the rent to {v}.", "Rent is now {v}.")),
        "salary": (("I earn {v} a year.", "My pay is {v}."),
                   ("My new salary is {v}.", "With the raise I make {v} now.")),
    },
}

# What a question about each attribute asks: current value, value before {new}, when.
QUESTIONS: dict[str, tuple[str, str, str]] = {
    "location": ("Where does {n} live now?", "Where did {n} live before {new}?",
                 "When did {n} move to {new}?"),
    "employer": ("Where does {n} work now?", "Where did {n} work before {new}?",
                 "When did {n} start working at {new}?"),
    "job": ("What is {n}'s job now?", "What was {n}'s job before becoming {new}?",
            "When did {n} become {new}?"),
    "partner": ("Who is {n}'s partner now?", "Who was {n} dating before {new}?",
                "When did {n} get together with {new}?"),
    "pet": ("What is the name of {n}'s newest pet?", "What pet did {n} have before {new}?",
            "When did {n} get {new}?"),
    "diet": ("What diet does {n} follow now?", "What diet did {n} follow before going {new}?",
             "When did {n} become {new}?"),
    "hobby": ("What is {n}'s hobby these days?", "What hobby did {n} have before {new}?",
              "When did {n} take up {new}?"),
    "plan": ("What is {n} planning to do?", "What was {n}'s plan before deciding to {new}?",
             "When did {n} decide to {new}?"),
    "rent": ("How much rent does {n} pay now?", "How much rent did {n} pay before?",
             "When did {n}'s rent change to {new}?"),
    "salary": ("How much does {n} earn now?", "How much did {n} earn before?",
               "When did {n}'s salary change to {new}?"),
}

# Questions whose answer is never in the conversation (what the generator never mentions).
UNANSWERABLE = ("What car does {n} drive?", "What is the name of {n}'s brother?",
                "Which university did {n} graduate from?", "What is {n}'s favourite movie?",
                "What is {n}'s phone number?", "How old is {n}'s father?")

# Chit-chat that states nothing about the persona's attributes; some name a city,
# a company or a person that is not the persona's (a sister, a friend, a trip).
FILLER = ("The weather has been all over the place this week.",
          "I finally finished that book you recommended.",
          "Can you suggest something quick for dinner?",
          "Long day, I'm going to bed early tonight.",
          "I watched a great documentary about octopuses.",
          "Any tips for sleeping better?",
          "I need a gift idea for a friend's birthday.",
          "My weekend was quiet, mostly errands.")
DISTRACTORS = ("My sister lives in {city} and loves it.", "We visited {city} for a wedding.",
               "I might move to {city} someday, who knows.",
               "My friend just got a job at {company}.",
               "Would it be crazy to work at {company}?")
REPLIES = ("That sounds great!", "Thanks for sharing that.", "Good to know, I'll remember.",
           "How do you feel about it?", "Congratulations!", "That makes sense.",
           "Let me know if I can help.", "Interesting, tell me more.")
