"""The vocabulary of slot statements: relation words, lexicons, and per-slot triggers.

Kept apart from :mod:`engramdb.text.slots` (the patterns and the logic) so
that word lists can grow without touching the rules that use them.
"""

from __future__ import annotations

import re

__all__ = ["_DIETS", "_ORG_HEADS", "_ALIASES", "_BREEDS", "_CAR_BRANDS", "_COUNTRIES", "_FAV_CATS", "_FAV_REJECT", "_JOBS", "_KIN", "_LOWER_STOP", "_MGR", "_NOT_NAMES", "_REL", "_SPECIES", "_TRIGGERS", "triggered"]

_KIN = (r"sister|brother|mom|mum|mother|dad|father|son|daughter|wife|husband|partner|"
        r"boyfriend|girlfriend|fianc[eé]e?|parents|grandma|grandmother|grandpa|grandfather|"
        r"aunt|uncle|best friend|roommate|flatmate")
_REL = r"boyfriend|girlfriend|partner|wife|husband|fianc[eé]e?|spouse"
_MGR = r"manager|boss|supervisor|team lead|team leader|line manager"
_SPECIES = (r"dog|puppy|cat|kitten|parrot|bird|rabbit|bunny|hamster|guinea pig|turtle|"
            r"tortoise|horse|snake|lizard|ferret|fish")
_BREEDS = (r"beagle|terrier|retriever|poodle|labrador|lab|collie|spaniel|husky|shepherd|"
           r"dachshund|corgi|pug|greyhound|tabby|siamese|persian|maine\s+coon|mutt|kitty|pup|doggo|"
           r"rescue")
#: Diets by name, and by form: what is left out ("sugar-free", "dairy-free") or weighed
#: ("high-protein", "low-carb") of a food word. Real diets, not one set's phrasings.
_DIET_FOOD = (r"sugar|gluten|dairy|lactose|grain|meat|egg|soy|wheat|nut|alcohol|caffeine|fat|"
              r"salt|sodium|carb|carbs|protein|calorie|fodmap|fibre|fiber|histamine|oxalate|"
              r"purine|starch")
_DIETS = (r"vegan|vegetarian|veggie|pescatarian|pescetarian|flexitarian|plant-based|keto|"
          r"ketogenic|paleo|carnivore|whole30|macrobiotic|atkins|fruitarian|raw[- ]vegan|"
          r"raw[- ]food|lacto-ovo|ovo-lacto|lacto-vegetarian|ovo-vegetarian|intermittent\s+"
          r"fasting|elimination\s+diet|mediterranean\s+diet|dash\s+diet|kosher|halal|ayurvedic|"
          r"sattvic|anti-inflammatory|anti-candida|autoimmune\s+protocol|"
          rf"(?:{_DIET_FOOD})[- ]free|(?:high|low)[- ](?:{_DIET_FOOD})")
_CAR_BRANDS = frozenset("""toyota honda tesla ford bmw audi volkswagen vw mercedes benz kia hyundai
    nissan subaru mazda volvo jeep chevy chevrolet porsche fiat peugeot renault skoda seat mini
    lexus prius civic corolla golf polo jaguar rover dodge gmc cadillac buick chrysler
    mitsubishi suzuki citroen opel alfa ferrari lamborghini maserati bentley rivian lucid
    polestar byd camry accord outback forester leaf""".split())
_JOBS = frozenset("""engineer developer programmer designer manager director teacher professor
    lecturer nurse doctor physician surgeon dentist lawyer attorney accountant analyst scientist
    researcher consultant architect chef cook baker waiter waitress bartender barista cashier
    clerk pharmacist therapist psychologist counselor counsellor writer author journalist editor
    photographer artist musician actor actress pilot driver mechanic electrician plumber
    carpenter firefighter officer soldier student intern assistant secretary receptionist
    librarian salesperson realtor agent banker trader economist entrepreneur founder ceo cto cfo
    coo vp specialist technician veterinarian vet paramedic midwife coach trainer tutor
    freelancer contractor administrator coordinator representative executive farmer gardener
    janitor cleaner nanny caregiver worker tester strategist marketer recruiter supervisor
    instructor principal dean paralegal optometrist statistician mathematician physicist
    chemist biologist historian translator interpreter illustrator animator producer dj
    nutritionist dietitian hairdresser barber stylist tailor butcher welder machinist dispatcher
    courier housekeeper homemaker lead postdoc undergrad fellow owner planner guard operator
    inspector ranger bookkeeper controller auditor foreman deckhand steward stewardess
    attendant lifeguard porter handler medic sommelier curator archivist surveyor estimator
    underwriter broker adjuster conductor composer choreographer dancer singer drummer
    captain sergeant lieutenant chaplain pastor minister rabbi imam priest""".split())
#: Last words of organisation names: such a name is no person's ("been with Juniper Bank").
_ORG_HEADS = frozenset("""bank labs lab health software media group energy insurance games
    robotics telecom publishing consulting hospital studios studio systems solutions
    technologies tech partners capital holdings foods grocers brewing dental credit union
    aerospace security logistics analytics airlines motors pharma clinic university college
    school academy institute agency associates company co corp inc llc ltd gmbh foundation
    network networks ventures industries enterprises services bakery cafe restaurant store
    market press records entertainment productions""".split())
_COUNTRIES = frozenset("""afghanistan albania algeria argentina armenia australia austria
    bangladesh belgium bolivia brazil bulgaria cambodia cameroon canada chile china colombia
    croatia cuba cyprus czechia denmark ecuador egypt england estonia ethiopia finland france
    georgia germany ghana greece hungary iceland india indonesia iran iraq ireland israel italy
    jamaica japan jordan kazakhstan kenya korea latvia lebanon lithuania luxembourg malaysia
    malta mexico morocco nepal netherlands nigeria norway pakistan peru philippines poland
    portugal romania russia scotland serbia slovakia slovenia spain sweden switzerland
    taiwan thailand tunisia turkey uganda ukraine uruguay venezuela vietnam wales
    uk us usa america""".split()) | {"united states", "united kingdom", "new zealand",
                                     "south africa", "south korea", "czech republic"}
_ALIASES = {"nyc": "new york", "new york city": "new york", "sf": "san francisco",
            "la": "los angeles", "uk": "united kingdom", "great britain": "united kingdom",
            "us": "united states", "usa": "united states", "america": "united states",
            "the states": "united states",
            "veggie": "vegetarian", "plant-based": "vegan", "ketogenic": "keto",
            "gluten free": "gluten-free", "dairy free": "dairy-free", "low carb": "low-carb",
            "lactose free": "lactose-free", "pescetarian": "pescatarian", "colour": "colour", "color": "colour"}
_FAV_CATS = {"color": "colour", "film": "movie", "films": "movie", "movies": "movie",
             "dish": "food", "meal": "food", "foods": "food", "track": "song", "tune": "song",
             "songs": "song", "series": "show", "tv show": "show", "group": "band",
             "novel": "book", "books": "book", "beverage": "drink", "sports": "sport",
             "singer": "artist", "musician": "artist", "video game": "game", "games": "game"}
_FAV_REJECT = frozenset("thing things part one ones memory memories moment moments way time kind "
                        "type sort bit".split())
# Capitalised words that begin sentences or name times, never people.
_NOT_NAMES = frozenset("""i i'm the a an my our we he she it they this that these those there
    here today tonight tomorrow yesterday everyone everybody someone somebody nobody nothing
    something monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december god mom dad mum so and but
    now then yes no ok okay well oh also just yeah yep hey hi hello wow aw aww omg lol haha
    sure sorry cool nice great thanks thank congrats please wait""".split())
#: Common words that open a sentence before "is", "has", "got"... ("Dinner is ready",
#: "Life got busy"): no name, whatever follows them.
_COMMON_OPENERS = frozenset("""dinner lunch breakfast supper brunch food work life home time
    weather rain snow traffic school training bath walk sleep money rent payday coffee tea
    everything nothing something anything someone everyone nobody somebody anybody today
    tonight tomorrow yesterday morning evening night week month year weekend holiday house
    flat apartment garden yard kitchen bed sofa couch car bike phone internet wifi baby mum
    mom dad family vet doctor boss office job team church class practice lesson gym park
    beach city town news update progress reality nature health everybody both each either
    neither another other such which what who whose whoever wherever whatever please thank
    puppy kitten dog cat bird fish rabbit bunny hamster horse pup doggo kitty""".split())
_SPECIES_WORDS = frozenset(re.sub(r"\\s\+", " ", _SPECIES + "|" + _BREEDS).split("|"))
_LOWER_STOP = frozenset("""a an the my his her our their your this that it fear hope peace
    love denial home night nights weekends myself ourselves here there now then with for since
    in at on by from to and but or because when where while some lot bit least""".split())

#: One table for every rule of a slot, template or cue: its rules run only on sentences
#: with one of these words (most sentences have none). A new rule whose cue word is not
#: here must add it.
_TRIGGER_WORDS: dict[str, str] = {
    "location": r"here in|born and|where i|where we|city i|town i|city we|town we|country i|liv|resid|based|settled|moved|relocat|emigrat|home|house|apartment|flat|place|"
               r"resident|local|settl|reloc|move\b|ended up|roots|unpack|address|new city|"
               r"new town|new country|been in|packed|headed|new life|chapter|new start|beginning|"
               r"-based|condo|neighbo|digs|studio|loft|lease|keys|commute|landlord|left|goodbye|"
               r"now|these days|for good|permanently",
    "employer": r"everyone|everybody|people at|folks|staff|company i|firm i|place i|startup i|work|employ|join|job|position|role|gig|hired|offer|quit|left|resigned|laid|"
               r"let\s+go|fired|redundant|retire|been\s+(?:at|with)\s|notice|day|week|month|shift|"
               r"year|contract|post|intern|start|signed|onboard|been|took me|brought me|picked me|"
               r"switch|jumped|made the|moved over|now|colleague|coworker|co-worker|team|office|"
               r"boss|manager|leaving|resign|walked|done|let go|part of|compan|firm|paycheck|"
               r"paycheque|payslip|pay stub|paystub|workplace|orientation|induction",
    "job": r"signature|badge|name\s*tag|business card|work(?:s|ing)?\s+as|job|title|occupation|profession|promot|became\s+an?\s|"
          r"should (?:now )?(?:be|say|read) |what i do|wrote|write|typed|entered|filled in|put ['\"‘“]|"
          r"(?:am|is|are)\s+(?:now\s+|no\s+longer\s+|officially\s+|finally\s+)?an?\s| as |"
          r"^as |being|been an? |stepped|stepping|moved|moving|transitioned|switched|made|"
          r"named|appointed|bumped|role|position|am |are |got|gave|landed|took|accepted|"
          r"earned",
    "partner": fr"guy i|girl i|man i|woman i|person i|partner|boyfriend|girlfriend|wife|husband|fianc|spouse|dating|seeing|married|"
              fr"engaged|relationship|going\s+out|together|divorc|broke|split|separated|dumped|"
              fr"left|single|been with|am with|are with|night|anniversary|things with|it with|"
              fr"going out|moved in|propos|going steady|a thing|an item|official|exclusive|"
              fr"asked me out|bf|gf|hubby|other half|significant|my man|my girl|my guy|my date|"
              fr"my lady|my person|our date|met|ended|are done|are over|finished|called it off|"
              fr"separate|over with|name|date|couple|not with|not together|knot|hitched|introduc|"
              fr"parents|folks|moving in|{_REL}",
    "manager": r"manager|boss|supervisor|lead|report|left|quit|resigned|retired|fired|let\s+go|"
              r"moved\s+on",
    "car": r"car\b|driv|traded|sold|crashed|total|wrecked|accord|alfa|audi|bentley|benz|bmw|"
          r"buick|byd|cadillac|camry|chevrolet|chevy|chrysler|citroen|civic|corolla|dodge|"
          r"ferrari|fiat|ford|forester|gmc|golf|honda|hyundai|jaguar|jeep|kia|lamborghini|"
          r"leaf|lexus|lucid|maserati|mazda|mercedes|mini|mitsubishi|nissan|opel|outback|"
          r"peugeot|polestar|polo|porsche|prius|renault|rivian|rover|seat|skoda|subaru|"
          r"suzuki|tesla|toyota|volkswagen|volvo|vw",
    "pet": fr"dog|pupp|cat|kitten|parrot|bird|rabbit|bunny|hamster|guinea|turtle|tortoise|"
          fr"horse|snake|lizard|ferret|fish|died|passed|put|beagle|terrier|retriever|poodle|"
          fr"lab|collie|spaniel|husky|shepherd|dachshund|corgi|pug|greyhound|tabby|mix|{_SPECIES}|{_BREEDS}|"
          fr"meet|welcome|introduc|say hi|say hello|named|calling|called|lost|put down|"
          fr"goodbye|buried|name|vet|shots|jabs|vaccin|worming|flea|kibble|litter|leash|"
          fr"collar|crate|one called|one named",
    "favourite": r"favou?rite|fave",
    "diet": fr"pesc|meat|{_DIETS}",
    "age": r"years?\s+(?:old|of\s+age)|yrs|y/?o\b|age\b|turn(?:ed|s)?\s+\d|"
          r"(?:am|is)\s+(?:now\s+)?\d",
    "phone": r"number|phone|cell|mobile|reach|call|text",
    "email": r"e-?mail|mail|reach|contact",
    "school": r"stud|university|college|school|academy|institute|high|uni\b|polytechnic|student|"
             r"freshman|sophomore|grad|phd|doctoral|undergrad|postdoc|transferred|switched",
    "name": r"name",
    "hobby": r"hobby|passion|lately|these days|nowadays|it is |it's |taken\s+up|took\s+up|picked\s+up|gotten\s+into|got\s+into|into\s|"
            r"started\s|gave\s+up|quit|stopped|find me|catch me|see me|been \w+ing|play|practi|"
            r"obsessed|hooked|addicted|crazy about|passionate|into|discovered|fell in love|"
            r"a lot of|spending|spend|spent|class|lesson|course|club|group|league|workshop|"
            r"obsession|pastime|thing|weekends|evenings|free time|spare time|every|doing|"
            r"personality|whole|spent all|spend all|spending all|love|adore|one thing|only thing|"
            r"main thing|big thing",
    "plan": r"plan|decided|goal|aim|dream|list|lock ?screen|wallpaper|vision board|whiteboard|post-?it|sticky|"
            r"the new one|new one|one says|it says|booked|scheduled|set up|arranged|saving|fund|jar|pot|resolution|mission|priority|target|next step|"
           r"adventure|project|hoping|intend|determined|committed|set to|saving|preparing|"
           r"resolved|made up my mind|want|wanna|would love|hope",
    "rent": r"rent|landlord|lease|month|monthly|pay|renewal|housing|they|is \$|is €|is £|\d[\d,.]* gone",
    "salary": r"salary|pay\b|make|earn|take\s+home|pay|making|raise|income|comp|base|offer|"
              r"bring|gross|before tax|after tax|pre-tax|came back with|settled on|agreed on|landed at|"
              r"a year|per year|bumped|annually|per annum",

}
# One pass over the lower-cased sentence finds candidate words; each short fragment is
# then matched against the per-slot triggers (case-insensitive re is slow on long text).
_TRIGGERS = {slot: re.compile(rf"(?:{words})") for slot, words in _TRIGGER_WORDS.items()}
_ANY_TRIGGER = re.compile(r"\b(?=(?:" + "|".join(_TRIGGER_WORDS.values()) + "))")  # overlapping: "my manager"


def triggered(sentence: str) -> set[str]:
    lower = sentence.lower()
    found: set[str] = set()
    for match in _ANY_TRIGGER.finditer(lower):
        fragment = lower[match.start():match.start() + 40]
        found.update(slot for slot, trigger in _TRIGGERS.items() if trigger.match(fragment))
    return found

