"""Words and sentence templates of the synthetic chat corpus (``engram bench scale``).

Written for this project. Templates take ``{slot}`` fields filled from the lists
below; a turn is one to three sentences, so turns run from about 5 to 45 words
(mean near 18), like the turns of LoCoMo and of chat logs.

``FACTS`` pair a statement with a question it answers: the scale run plants them
as needles and measures whether a search finds the turn again.
"""

from __future__ import annotations

NAMES = ["Ana", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira",
         "Liam", "Maya", "Nikos", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
         "Wes", "Xena", "Yusuf", "Zoe", "Aiden", "Bianca", "Chen", "Dalia", "Emeka", "Fatima",
         "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nadia", "Oscar", "Paula",
         "Rafael", "Sofia", "Theo", "Uma", "Victor", "Wanda", "Ximena", "Yara", "Zain", "Amara",
         "Bruno", "Chloe", "Diego", "Esme", "Felix", "Gia", "Hugo", "Isla"]

CITIES = ["Lisbon", "Porto", "Denver", "Austin", "Berlin", "Munich", "Kyoto", "Osaka", "Toronto",
          "Vancouver", "Nairobi", "Lagos", "Seattle", "Portland", "Dublin", "Cork", "Madrid",
          "Seville", "Melbourne", "Sydney", "Oslo", "Bergen", "Prague", "Vienna", "Chicago",
          "Boston", "Montreal", "Quebec", "Lima", "Cusco", "Hanoi", "Seoul", "Busan", "Athens",
          "Crete", "Naples", "Milan", "Zurich", "Geneva", "Edinburgh", "Glasgow", "Reykjavik",
          "Helsinki", "Tallinn", "Krakow", "Budapest", "Istanbul", "Marrakech", "Cairo",
          "Santiago"]

FOODS = ["ramen", "sourdough bread", "lentil soup", "pad thai", "banana bread", "tacos",
         "mushroom risotto", "dumplings", "shakshuka", "lasagna", "pho", "curry", "paella",
         "falafel", "apple pie", "sushi", "pancakes", "gnocchi", "chili", "kimchi stew",
         "carrot cake", "empanadas", "pierogi", "moussaka", "bibimbap", "focaccia",
         "tomato salad", "veggie burgers", "fish tacos", "cinnamon rolls"]

HOBBIES = ["pottery", "rock climbing", "birdwatching", "knitting", "salsa dancing",
           "trail running", "woodworking", "chess", "photography", "gardening", "surfing",
           "watercolor painting", "baking", "calligraphy", "kayaking", "yoga", "bouldering",
           "sewing", "astronomy", "cycling", "swimming", "hiking", "journaling", "origami",
           "fishing", "skateboarding", "sketching", "tennis", "volunteering at the shelter",
           "learning Japanese"]

INSTRUMENTS = ["guitar", "piano", "violin", "cello", "ukulele", "drums", "saxophone",
               "flute", "bass", "harmonica", "trumpet", "banjo"]

PETS = ["dog", "cat", "rabbit", "parrot", "hamster", "tortoise", "goldfish", "puppy",
        "kitten", "lizard"]

PET_NAMES = ["Pixel", "Biscuit", "Mochi", "Luna", "Pepper", "Olive", "Ziggy", "Nacho", "Maple",
             "Bean", "Clover", "Juniper", "Waffle", "Pickle", "Toast", "Scout", "Willow", "Mango",
             "Noodle", "Basil", "Cosmo", "Hazel", "Rocket", "Peanut"]

JOBS = ["nurse", "data engineer", "teacher", "graphic designer", "chef", "accountant",
        "firefighter", "architect", "barista", "pharmacist", "software developer",
        "librarian", "electrician", "marine biologist", "social worker", "translator",
        "carpenter", "journalist", "physiotherapist", "product manager", "vet",
        "bus driver", "lab technician", "paramedic"]

RELATIVES = ["sister", "brother", "mom", "dad", "cousin", "aunt", "uncle", "grandma",
             "grandpa", "best friend", "roommate", "neighbor", "coworker", "partner"]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

FEELINGS = ["excited", "nervous", "tired", "relieved", "proud", "a bit overwhelmed",
            "grateful", "anxious", "happy", "restless", "calm", "motivated"]

THINGS = ["a new bike", "a used car", "noise cancelling headphones", "a standing desk",
          "hiking boots", "a film camera", "a sewing machine", "an espresso machine",
          "a telescope", "a kayak", "a tent", "a record player", "running shoes",
          "a houseplant", "a second-hand piano", "a drone"]

BOOKS = ["The Midnight Library", "Dune", "Circe", "Project Hail Mary", "Educated",
         "The Overstory", "Pachinko", "Klara and the Sun", "Atomic Habits", "The Hobbit",
         "Sapiens", "Station Eleven", "The Name of the Wind", "Normal People"]

SPORTS = ["soccer", "basketball", "volleyball", "badminton", "table tennis", "rugby",
          "baseball", "ultimate frisbee", "hockey", "cricket"]

NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "ten", "twelve"]

YEARS = [str(y) for y in range(2008, 2024)]

#: (statement, question it answers)
FACTS: list[tuple[str, str]] = [
    ("I just adopted a {pet} and named it {pet_name}.", "What is the name of my {pet}?"),
    ("We finally booked the trip to {city} for {month}.", "When is the trip to {city}?"),
    ("I started a new job as a {job} last {day}.", "What is my new job?"),
    ("My {relative} is moving to {city} next month.", "Where is my {relative} moving?"),
    ("I've been taking {instrument} lessons since {year}.",
     "Since when do I take {instrument} lessons?"),
    ("I signed up for a {hobby} class that meets every {day}.",
     "Which day is the {hobby} class?"),
    ("I made {food} for the whole family on {day} and it turned out great.",
     "What did I cook for the family?"),
    ("I bought {thing} with the money I saved this year.", "What did I buy with my savings?"),
    ("I'm reading {book} right now and I can't put it down.", "Which book am I reading?"),
    ("My {relative} and I joined a {sport} team at the community center.",
     "Which team did I join with my {relative}?"),
    ("I ran {number} kilometers along the river this morning without stopping.",
     "How far did I run along the river?"),
    ("I grew up in {city} but I haven't been back since {year}.", "Where did I grow up?"),
    ("I'm allergic to {food}, so I always check the menu twice.", "What am I allergic to?"),
    ("My {relative} gave me {thing} for my birthday in {month}.",
     "What did my {relative} give me for my birthday?"),
    ("I volunteer at the animal shelter every {day} afternoon.",
     "When do I volunteer at the shelter?"),
    ("I've lived in {city} for {number} years now.", "How long have I lived in {city}?"),
]

#: user small talk, with no fact worth remembering
CHAT: list[str] = [
    "Work has been hectic this week, I barely had time to eat lunch.",
    "I'm feeling {feeling} about the weekend.",
    "The weather in {city} has been strange lately, sunny one hour and pouring the next.",
    "Do you have any tips for sleeping better?",
    "I tried {hobby} for the first time and it was harder than it looks.",
    "Can you remind me what we talked about last time?",
    "I watched a documentary about {city} yesterday and now I want to go there.",
    "My {relative} called me this morning and we talked for almost an hour.",
    "I need to get better at saying no to extra projects at work.",
    "Honestly I just want a quiet evening with a good book and some tea.",
    "I've been thinking about learning to play the {instrument} again.",
    "We had {food} for dinner and there are leftovers for days.",
    "The traffic this morning was unbelievable, it took me an hour to get to work.",
    "I finally cleaned out the garage, it took the whole {day}.",
    "Do you think it's weird to start {hobby} at my age?",
    "I'm trying to drink more water and less coffee this month.",
    "My {pet} knocked a glass off the table again.",
    "We're planning a small get-together on {day}, nothing fancy.",
    "I missed the bus twice this week, I really need to leave earlier.",
    "I feel {feeling} after that meeting, it went better than expected.",
]

#: the other speaker's replies
REPLY: list[str] = [
    "That sounds wonderful!",
    "Oh wow, I didn't expect that.",
    "How are you feeling about it?",
    "That must have been a lot to handle.",
    "I'm really happy for you.",
    "Tell me more about it, what happened next?",
    "That makes sense, it's a big change.",
    "Have you thought about what you'll do next?",
    "It's great that you're making time for yourself.",
    "I remember you mentioning {city} before.",
    "{food} is always a good idea.",
    "Maybe try it again next {day} and see how it goes.",
    "A little progress every week adds up.",
    "That's a good habit to keep.",
    "It sounds like you've thought it through carefully.",
    "Let me know how it goes, I'm curious.",
    "Taking a break now and then really helps.",
    "I'd love to hear more about your {relative}.",
    "You seem {feeling} about it, which is understandable.",
    "Sometimes the small things make the biggest difference.",
]

#: every ``{slot}`` a template may name, and the values it is filled with
SLOTS: dict[str, list[str]] = {
    "name": NAMES, "city": CITIES, "food": FOODS, "hobby": HOBBIES,
    "instrument": INSTRUMENTS, "pet": PETS, "pet_name": PET_NAMES, "job": JOBS,
    "relative": RELATIVES, "month": MONTHS, "day": DAYS, "feeling": FEELINGS,
    "thing": THINGS, "book": BOOKS, "sport": SPORTS, "number": NUMBERS, "year": YEARS,
}
