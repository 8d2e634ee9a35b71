"""Names of the people and pages of the world (Moldova, autumn 2024): Romanian, Russian, Ukrainian and Gagauz
first names and surnames, handles as people make them, page and channel names. All fictional combinations."""

from __future__ import annotations

RO_MALE = ["Ion", "Vasile", "Mihai", "Andrei", "Victor", "Sergiu", "Alexandru", "Dumitru", "Gheorghe", "Nicolae",
           "Vlad", "Cristian", "Dan", "Radu", "Iurie", "Veaceslav", "Igor", "Oleg", "Petru", "Valeriu", "Eugen",
           "Anatol", "Constantin", "Tudor", "Marcel", "Ilie", "Grigore", "Octavian", "Adrian", "Dorin", "Ștefan",
           "Vitalie", "Corneliu", "Artur", "Emil", "Pavel", "Ruslan", "Nicu", "Ionuț", "Mihăiță"]
RO_FEMALE = ["Maria", "Ana", "Elena", "Natalia", "Tatiana", "Olga", "Ina", "Doina", "Cristina", "Mariana",
             "Irina", "Angela", "Svetlana", "Valentina", "Nadejda", "Corina", "Daniela", "Lilia", "Aurelia",
             "Lucia", "Victoria", "Alina", "Diana", "Ecaterina", "Silvia", "Galina", "Ludmila", "Vera", "Larisa",
             "Zinaida", "Adriana", "Nicoleta", "Stela", "Veronica", "Rodica", "Iulia", "Carolina", "Viorica"]
RO_SURNAMES = ["Rusu", "Ceban", "Ciobanu", "Lungu", "Munteanu", "Cojocaru", "Popa", "Sârbu", "Țurcanu", "Rotaru",
               "Moraru", "Botnari", "Bălan", "Guțu", "Roșca", "Grosu", "Bivol", "Ursu", "Popescu", "Bodrug",
               "Postolachi", "Cazacu", "Vrabie", "Prodan", "Surdu", "Chiriac", "Cernei", "Croitoru", "Olaru",
               "Spînu", "Negru", "Tofan", "Bejenaru", "Buzu", "Manole", "Lozan", "Zaharia", "Gîrlea", "Căldare",
               "Pascari", "Ababii", "Arnaut", "Beșliu", "Captari", "Doibani", "Fusu", "Hîncu", "Jitaru", "Leahu",
               "Mereuță", "Nistor", "Oprea", "Puiu", "Răileanu", "Scutaru", "Toma", "Ungureanu", "Vieru"]
GAGAUZ_SURNAMES = ["Caraman", "Topal", "Cara", "Gaidarji", "Stoianov", "Chior", "Dimitroglo", "Uzun", "Manolov"]
RU_MALE = ["Сергей", "Алексей", "Дмитрий", "Игорь", "Олег", "Андрей", "Павел", "Николай", "Виталий", "Евгений",
           "Владимир", "Юрий", "Вячеслав", "Константин", "Артём", "Максим", "Роман", "Григорий", "Валерий"]
RU_FEMALE = ["Наталья", "Татьяна", "Ольга", "Светлана", "Елена", "Ирина", "Людмила", "Галина", "Марина",
             "Юлия", "Анна", "Екатерина", "Валентина", "Лариса", "Вера", "Надежда", "Алёна", "Ксения"]
RU_SURNAMES_M = ["Иванов", "Петров", "Сидоренко", "Кравченко", "Чебан", "Русу", "Лунгу", "Морару", "Попов",
                 "Ткаченко", "Гайдаржи", "Стоянов", "Мельник", "Бондарь", "Кожокару", "Гросу", "Урсу", "Волков",
                 "Николаев", "Колесник", "Чобану", "Захарченко", "Шевчук", "Семёнов", "Кириченко"]
UK_MALE = ["Богдан", "Тарас", "Андрій", "Дмитро", "Василь", "Олександр", "Микола", "Юрій", "Остап"]
UK_FEMALE = ["Оксана", "Олена", "Ірина", "Мирослава", "Юлія", "Наталія", "Галина", "Соломія", "Христина"]
UK_SURNAMES = ["Левченко", "Бондаренко", "Коваль", "Шевчук", "Ткачук", "Мельничук", "Гнатюк", "Савчук",
               "Кравець", "Поліщук", "Данилюк"]
WEST_FIRST = ["Emily", "Jessica", "Sophia", "Olivia", "Ava", "Mia", "Laura", "Kate", "Anna", "Jennifer", "Linda",
              "Michael", "David", "Daniel", "James", "Robert", "Kevin", "Brian"]
WEST_LAST = ["Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Anderson", "Clark", "Lewis", "Walker",
             "Hall", "Young", "King", "Wright"]

HANDLE_BITS = ["md", "chisinau", "balti", "moldova", "ro", "mda", "kiv", "cahul", "real", "official", "the",
               "news", "blog", "2024", "1990", "vin", "zimbru", "oficial"]

_RU_LATIN = str.maketrans({"ș": "s", "ş": "s", "ț": "t", "ţ": "t", "ă": "a", "â": "a", "î": "i", "Ș": "S",
                           "Ț": "T", "Î": "I", "Ă": "A"})

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z", "и": "i",
    "й": "i", "к": "c", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ț", "ч": "ci", "ш": "ș", "щ": "șc", "ъ": "", "ы": "î", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "ii", "є": "ie", "ґ": "g",
}


def latin(name: str) -> str:
    """A Cyrillic name the way Moldovan documents write it (Сергей Чебан -> Serghei Ceban, near enough)."""
    out = "".join(_CYR_TO_LAT.get(c.lower(), c.lower()) if c.isalpha() else c for c in name)
    return " ".join(w.capitalize() for w in out.split(" "))


def ascii_handle(text: str) -> str:
    plain = latin(text).translate(_RU_LATIN).lower()
    return "".join(c for c in plain if c.isalnum() or c in "._")


def person(rng, culture: str) -> dict:
    """A fictional person: display name in their own script and the Latin form used in handles."""
    female = rng.random() < 0.5
    if culture == "ro":
        first = rng.choice(RO_FEMALE if female else RO_MALE)
        last = rng.choice(RO_SURNAMES)
    elif culture == "gag":
        first = rng.choice(RO_FEMALE if female else RO_MALE)
        last = rng.choice(GAGAUZ_SURNAMES)
    elif culture == "ru":
        first = rng.choice(RU_FEMALE if female else RU_MALE)
        last = rng.choice(RU_SURNAMES_M)
        if female and last.endswith(("ов", "ев", "ин")):
            last += "а"
    elif culture == "uk":
        first = rng.choice(UK_FEMALE if female else UK_MALE)
        last = rng.choice(UK_SURNAMES)
    else:
        first = rng.choice(WEST_FIRST)
        last = rng.choice(WEST_LAST)
    return {"first": first, "last": last, "female": female, "culture": culture}


def display_name(p: dict, rng) -> str:
    first, last = p["first"], p["last"]
    shape = rng.random()
    if p["culture"] in ("ru", "uk") and rng.random() < 0.35:
        first, last = latin(first), latin(last)  # many sign their profile in Latin letters
    if shape < 0.6:
        return f"{first} {last}"
    if shape < 0.7:
        return f"{first} {last[0]}."
    if shape < 0.78:
        return f"{last} {first}"
    if shape < 0.86:
        return f"{first} {rng.choice(['🌸', '🇲🇩', '🌻', '✨', '🦋', '🍀', '⚽', '🕊'])}"
    if shape < 0.93:
        return first
    return f"{first} {last} ({rng.choice(['Chișinău', 'Bălți', 'Italia', 'London', 'Cahul', 'Orhei', 'Comrat'])})"


def handle(p: dict, rng) -> str:
    first, last = ascii_handle(p["first"]), ascii_handle(p["last"])
    shape = rng.random()
    year = rng.randrange(1958, 2007)
    if shape < 0.25:
        return f"{first}{last}{year % 100:02d}"
    if shape < 0.45:
        return f"{first}_{last}"
    if shape < 0.6:
        return f"{first[0]}{last}"
    if shape < 0.72:
        return f"{last}.{first}"
    if shape < 0.82:
        return f"{first}_{rng.choice(HANDLE_BITS)}"
    if shape < 0.9:
        return f"{first}{year}"
    return f"{first}{last}_{rng.choice(HANDLE_BITS)}"


def bot_handle(p: dict, rng) -> str:
    """Handles that sign-up scripts make: name plus a long number, or the platform's default."""
    first, last = ascii_handle(p["first"]), ascii_handle(p["last"])
    shape = rng.random()
    if shape < 0.45:
        return f"{first}_{last}{rng.randrange(1000, 99999)}"
    if shape < 0.7:
        return f"{first}{last[:3]}{rng.randrange(10000000, 99999999)}"
    if shape < 0.85:
        return f"{last.capitalize()}{first.capitalize()}{rng.randrange(10, 999)}"
    return f"user{rng.randrange(10 ** 9, 10 ** 10)}"
