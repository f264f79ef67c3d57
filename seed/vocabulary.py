"""Real words for the demo region, never lorem ipsum: what is taught (a subject, its direction
and its title in each language), who teaches it (providers whose names say what they teach),
where (streets and districts of each town) and people's names whose forms agree in gender."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    direction: str
    titles: dict[str, str]  # by the language it is taught in: ru, lt, en


SUBJECTS: dict[str, Subject] = {
    # technical
    "robotics": Subject("technical", {"ru": "Робототехника", "lt": "Robotika", "en": "Robotics"}),
    "python": Subject(
        "technical",
        {
            "ru": "Программирование на Python",
            "lt": "Programavimas su Python",
            "en": "Python programming",
        },
    ),
    "modelling_3d": Subject(
        "technical", {"ru": "3D-моделирование", "lt": "3D modeliavimas", "en": "3D modelling"}
    ),
    "aircraft_models": Subject(
        "technical", {"ru": "Авиамоделирование", "lt": "Aviamodeliavimas", "en": "Model aircraft"}
    ),
    "electronics": Subject(
        "technical",
        {
            "ru": "Электроника для начинающих",
            "lt": "Elektronika pradedantiesiems",
            "en": "Electronics for beginners",
        },
    ),
    "lego": Subject(
        "technical",
        {"ru": "Лего-конструирование", "lt": "LEGO konstravimas", "en": "LEGO engineering"},
    ),
    "web_design": Subject(
        "technical",
        {"ru": "Основы веб-дизайна", "lt": "Tinklalapių kūrimas", "en": "Web design basics"},
    ),
    # natural science
    "young_ecologist": Subject(
        "natural_science",
        {"ru": "Юный эколог", "lt": "Jaunasis ekologas", "en": "Young ecologist"},
    ),
    "chemistry": Subject(
        "natural_science",
        {"ru": "Занимательная химия", "lt": "Linksmoji chemija", "en": "Fun chemistry"},
    ),
    "astronomy": Subject(
        "natural_science", {"ru": "Астрономия", "lt": "Astronomija", "en": "Astronomy"}
    ),
    "plant_biology": Subject(
        "natural_science",
        {"ru": "Биология растений", "lt": "Augalų biologija", "en": "Plant biology"},
    ),
    "physics": Subject(
        "natural_science",
        {
            "ru": "Экспериментальная физика",
            "lt": "Eksperimentinė fizika",
            "en": "Experimental physics",
        },
    ),
    "animals": Subject(
        "natural_science",
        {"ru": "Мир животных", "lt": "Gyvūnų pasaulis", "en": "The animal world"},
    ),
    # physical culture and sports (chess is a sport in both countries)
    "chess": Subject("physical_sports", {"ru": "Шахматы", "lt": "Šachmatai", "en": "Chess"}),
    "football": Subject("physical_sports", {"ru": "Футбол", "lt": "Futbolas", "en": "Football"}),
    "swimming": Subject("physical_sports", {"ru": "Плавание", "lt": "Plaukimas", "en": "Swimming"}),
    "gymnastics": Subject(
        "physical_sports",
        {
            "ru": "Художественная гимнастика",
            "lt": "Meninė gimnastika",
            "en": "Rhythmic gymnastics",
        },
    ),
    "judo": Subject("physical_sports", {"ru": "Дзюдо", "lt": "Dziudo", "en": "Judo"}),
    "skiing": Subject(
        "physical_sports",
        {"ru": "Лыжные гонки", "lt": "Slidinėjimas", "en": "Cross-country skiing"},
    ),
    "table_tennis": Subject(
        "physical_sports",
        {"ru": "Настольный теннис", "lt": "Stalo tenisas", "en": "Table tennis"},
    ),
    # artistic
    "choir": Subject(
        "artistic", {"ru": "Хоровое пение", "lt": "Chorinis dainavimas", "en": "Choir singing"}
    ),
    "folk_dance": Subject(
        "artistic", {"ru": "Народный танец", "lt": "Liaudies šokiai", "en": "Folk dance"}
    ),
    "painting": Subject(
        "artistic",
        {"ru": "Живопись и рисунок", "lt": "Tapyba ir piešimas", "en": "Painting and drawing"},
    ),
    "theatre": Subject(
        "artistic", {"ru": "Театральная студия", "lt": "Teatro studija", "en": "Theatre studio"}
    ),
    "guitar": Subject("artistic", {"ru": "Гитара", "lt": "Gitara", "en": "Guitar"}),
    "ceramics": Subject("artistic", {"ru": "Керамика", "lt": "Keramika", "en": "Ceramics"}),
    "piano": Subject("artistic", {"ru": "Фортепиано", "lt": "Fortepijonas", "en": "Piano"}),
    # tourism and local history
    "local_history": Subject(
        "tourism_local_history",
        {
            "ru": "Юные краеведы",
            "lt": "Jaunieji kraštotyrininkai",
            "en": "Young local historians",
        },
    ),
    "sports_tourism": Subject(
        "tourism_local_history",
        {"ru": "Спортивный туризм", "lt": "Sportinis turizmas", "en": "Sports tourism"},
    ),
    "orienteering": Subject(
        "tourism_local_history",
        {"ru": "Ориентирование", "lt": "Orientavimosi sportas", "en": "Orienteering"},
    ),
    "school_museum": Subject(
        "tourism_local_history",
        {"ru": "Школьный музей", "lt": "Mokyklos muziejus", "en": "School museum"},
    ),
    "weekend_hikes": Subject(
        "tourism_local_history",
        {"ru": "Походы выходного дня", "lt": "Savaitgalio žygiai", "en": "Weekend hikes"},
    ),
    # social and humanitarian
    "english": Subject(
        "social_humanitarian",
        {"ru": "Английский язык", "lt": "Anglų kalba", "en": "English language"},
    ),
    "journalism": Subject(
        "social_humanitarian",
        {"ru": "Юный журналист", "lt": "Jaunasis žurnalistas", "en": "Young journalist"},
    ),
    "finance": Subject(
        "social_humanitarian",
        {
            "ru": "Основы финансовой грамотности",
            "lt": "Finansinis raštingumas",
            "en": "Financial literacy",
        },
    ),
    "volunteers": Subject(
        "social_humanitarian",
        {"ru": "Волонтёрский клуб", "lt": "Savanorių klubas", "en": "Volunteer club"},
    ),
    "debating": Subject("social_humanitarian", {"ru": "Дебаты", "lt": "Debatai", "en": "Debating"}),
    "creative_writing": Subject(
        "social_humanitarian",
        {
            "ru": "Литературная мастерская",
            "lt": "Literatūros dirbtuvės",
            "en": "Creative writing workshop",
        },
    ),
}


@dataclass(frozen=True)
class ProviderProfile:
    """A provider of the demo region: its name says what it teaches, and it teaches only
    that (a chess club, chess; a house of children's creativity, many things)."""

    name: str
    kind: str  # ProviderKind
    subjects: tuple[str, ...]


TECHNICAL = ("robotics", "python", "modelling_3d", "aircraft_models", "electronics", "lego")
SPORTS = ("football", "swimming", "gymnastics", "judo", "skiing", "table_tennis")
TOURISM = ("local_history", "sports_tourism", "orienteering", "school_museum", "weekend_hikes")
# a house of children's creativity: arts, crafts, clubs of every kind, no pool or pitch
CREATIVITY = (
    "choir",
    "folk_dance",
    "painting",
    "theatre",
    "ceramics",
    "guitar",
    "lego",
    "chess",
    "young_ecologist",
    "local_history",
    "journalism",
    "volunteers",
    "creative_writing",
)
# a centre of additional education: sciences, engineering, languages, economics
SCIENCE_CENTRE = (
    "robotics",
    "python",
    "web_design",
    "electronics",
    "chemistry",
    "astronomy",
    "physics",
    "plant_biology",
    "animals",
    "young_ecologist",
    "english",
    "finance",
    "debating",
)

# The first provider of each country is the demo provider's own (provider.<town>@demo.navigator).
PROVIDERS: dict[str, tuple[ProviderProfile, ...]] = {
    "ru": (
        ProviderProfile("Дом детского творчества", "municipal", CREATIVITY),
        ProviderProfile("Центр дополнительного образования «Эврика»", "municipal", SCIENCE_CENTRE),
        ProviderProfile("Детско-юношеская спортивная школа №1", "municipal", SPORTS),
        ProviderProfile("Станция юных техников", "municipal", TECHNICAL),
        ProviderProfile("Центр детского и юношеского туризма", "municipal", TOURISM),
        ProviderProfile("Школа робототехники «Роботрек»", "private", ("robotics",)),
        ProviderProfile("Изостудия «Акварель»", "private", ("painting",)),
        ProviderProfile("Шахматный клуб «Гроссмейстер»", "private", ("chess",)),
        ProviderProfile("Языковой центр «Полиглот»", "private", ("english",)),
        ProviderProfile("Ансамбль народного танца «Калинка»", "private", ("folk_dance",)),
        ProviderProfile("ИП Смирнова А. В. (студия керамики)", "individual", ("ceramics",)),
        ProviderProfile("ИП Кузнецов Д. С. (уроки гитары)", "individual", ("guitar",)),
        ProviderProfile("ИП Волкова Е. Н. (уроки фортепиано)", "individual", ("piano",)),
    ),
    "lt": (
        ProviderProfile("Vaikų ir jaunimo centras", "municipal", CREATIVITY),
        ProviderProfile("Moksleivių namai", "municipal", SCIENCE_CENTRE),
        ProviderProfile("Sporto mokykla", "municipal", SPORTS),
        ProviderProfile("Jaunųjų technikų centras", "municipal", TECHNICAL),
        ProviderProfile("Jaunųjų turistų centras", "municipal", TOURISM),
        ProviderProfile("Robotikos akademija", "private", ("robotics",)),
        ProviderProfile("Dailės studija „Spalvos“", "private", ("painting",)),
        ProviderProfile("Šachmatų klubas „Karalius“", "private", ("chess",)),
        ProviderProfile("Anglų kalbos mokykla „Lingua“", "private", ("english",)),
        ProviderProfile("Liaudies šokių ansamblis „Ratelis“", "private", ("folk_dance",)),
        ProviderProfile(
            "R. Petrauskienės keramikos dirbtuvės (individuali veikla)", "individual", ("ceramics",)
        ),
        ProviderProfile(
            "J. Kazlausko gitaros pamokos (individuali veikla)", "individual", ("guitar",)
        ),
        ProviderProfile(
            "E. Vaitkutės fortepijono pamokos (individuali veikla)", "individual", ("piano",)
        ),
    ),
}

LEVELS = {
    "ru": ["для начинающих", "продвинутый уровень", "для младших школьников", "для подростков", ""],
    "lt": ["pradedantiesiems", "pažengusiems", "pradinukams", "paaugliams", ""],
    "en": ["for beginners", "advanced", "for young pupils", "for teenagers", ""],
}

DESCRIPTIONS = {
    "ru": [
        "Занятия ведут опытные педагоги в небольших группах.",
        "Дети работают над собственными проектами и представляют их на выставках и соревнованиях.",
        "Программа развивает внимание, логику и умение работать в команде.",
        "Все материалы и оборудование предоставляются на занятиях.",
        "В конце года — открытое занятие для родителей.",
    ],
    "lt": [
        "Užsiėmimus veda patyrę mokytojai mažose grupėse.",
        "Vaikai kuria savo projektus ir pristato juos parodose bei varžybose.",
        "Programa lavina dėmesį, logiką ir gebėjimą dirbti komandoje.",
        "Visos priemonės ir įranga suteikiamos užsiėmimų metu.",
        "Metų pabaigoje — atviras užsiėmimas tėvams.",
    ],
    "en": [
        "Lessons are taught by experienced teachers in small groups.",
        "Children work on their own projects and present them at exhibitions and competitions.",
        "The program builds attention, logic and teamwork.",
        "All materials and equipment are provided in class.",
        "The year ends with an open lesson for parents.",
    ],
}

# by the town's code: real streets and districts of each town
STREETS = {
    "yaroslavl": [
        "ул. Свободы",
        "пр. Ленина",
        "ул. Кирова",
        "Московский пр.",
        "ул. Чкалова",
        "ул. Советская",
    ],
    "perm": [
        "ул. Ленина",
        "Комсомольский пр.",
        "ул. Сибирская",
        "ул. Пушкина",
        "ул. Екатерининская",
        "ш. Космонавтов",
    ],
    "vilnius": [
        "Gedimino pr.",
        "Pylimo g.",
        "Žirmūnų g.",
        "Kalvarijų g.",
        "Antakalnio g.",
        "Konstitucijos pr.",
    ],
    "kaunas": [
        "Laisvės al.",
        "Savanorių pr.",
        "Vytauto pr.",
        "K. Donelaičio g.",
        "Kęstučio g.",
        "Pramonės pr.",
    ],
}
DISTRICTS = {
    "yaroslavl": ("Кировский", "Ленинский", "Фрунзенский", "Заволжский"),
    "perm": ("Ленинский", "Свердловский", "Мотовилихинский", "Индустриальный"),
    "vilnius": ("Senamiestis", "Žirmūnai", "Antakalnis", "Pašilaičiai"),
    "kaunas": ("Centras", "Šilainiai", "Dainava", "Žaliakalnis"),
}

FIRST_NAMES = {
    "ru": {
        "female": ("Анна", "Мария", "София", "Алиса", "Елена", "Ольга", "Дарья", "Полина"),
        "male": ("Иван", "Дмитрий", "Артём", "Михаил", "Сергей", "Алексей", "Максим", "Егор"),
    },
    "lt": {
        "female": ("Ona", "Marija", "Emilija", "Austėja", "Rūta", "Gabija", "Urtė", "Ieva"),
        "male": ("Jonas", "Lukas", "Matas", "Kajus", "Tomas", "Dominykas", "Jokūbas", "Mantas"),
    },
}


@dataclass(frozen=True)
class Surname:
    """A family name in its forms: a man's, a married woman's, a girl's (unmarried).
    Russian has one form for women; Lithuanian has two (Kazlauskienė, Kazlauskaitė)."""

    male: str
    married: str
    maiden: str


SURNAMES = {
    "ru": tuple(
        Surname(male, male + "а", male + "а")
        for male in ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов")
    ),
    "lt": (
        Surname("Kazlauskas", "Kazlauskienė", "Kazlauskaitė"),
        Surname("Petraitis", "Petraitienė", "Petraitytė"),
        Surname("Jankauskas", "Jankauskienė", "Jankauskaitė"),
        Surname("Stankevičius", "Stankevičienė", "Stankevičiūtė"),
        Surname("Vasiliauskas", "Vasiliauskienė", "Vasiliauskaitė"),
        Surname("Žukauskas", "Žukauskienė", "Žukauskaitė"),
        Surname("Butkus", "Butkienė", "Butkutė"),
    ),
}


def person_name(
    rng: random.Random,
    language: str,
    *,
    female: bool,
    adult: bool,
    surname: Surname | None = None,
) -> tuple[str, str]:
    """(first name, last name) of one person, the last name in the form that agrees with
    them: a woman's or a man's, and in Lithuanian a girl's or a married woman's."""
    first = rng.choice(FIRST_NAMES[language]["female" if female else "male"])
    family = surname or rng.choice(SURNAMES[language])
    if not female:
        return first, family.male
    return first, family.married if adult else family.maiden
