"""Real words for demo programs, by direction and language: titles and descriptions are
composed from these, never lorem ipsum."""

from __future__ import annotations

TITLES: dict[str, dict[str, list[str]]] = {
    "technical": {
        "ru": [
            "Робототехника",
            "Программирование на Python",
            "3D-моделирование",
            "Авиамоделирование",
            "Электроника для начинающих",
            "Лего-конструирование",
            "Основы веб-дизайна",
        ],
        "lt": [
            "Robotika",
            "Programavimas su Python",
            "3D modeliavimas",
            "Aviamodeliavimas",
            "Elektronika pradedantiesiems",
            "LEGO konstravimas",
            "Tinklalapių kūrimas",
        ],
        "en": [
            "Robotics",
            "Python programming",
            "3D modelling",
            "Model aircraft",
            "Electronics for beginners",
            "LEGO engineering",
            "Web design basics",
        ],
    },
    "natural_science": {
        "ru": [
            "Юный эколог",
            "Занимательная химия",
            "Астрономия",
            "Биология растений",
            "Экспериментальная физика",
            "Мир животных",
        ],
        "lt": [
            "Jaunasis ekologas",
            "Linksmoji chemija",
            "Astronomija",
            "Augalų biologija",
            "Eksperimentinė fizika",
            "Gyvūnų pasaulis",
        ],
        "en": [
            "Young ecologist",
            "Fun chemistry",
            "Astronomy",
            "Plant biology",
            "Experimental physics",
            "The animal world",
        ],
    },
    "physical_sports": {
        "ru": [
            "Шахматы",
            "Футбол",
            "Плавание",
            "Художественная гимнастика",
            "Дзюдо",
            "Лыжные гонки",
            "Настольный теннис",
        ],
        "lt": [
            "Šachmatai",
            "Futbolas",
            "Plaukimas",
            "Meninė gimnastika",
            "Dziudo",
            "Slidinėjimas",
            "Stalo tenisas",
        ],
        "en": [
            "Chess",
            "Football",
            "Swimming",
            "Rhythmic gymnastics",
            "Judo",
            "Cross-country skiing",
            "Table tennis",
        ],
    },
    "artistic": {
        "ru": [
            "Хоровое пение",
            "Народный танец",
            "Живопись и рисунок",
            "Театральная студия",
            "Гитара",
            "Керамика",
            "Фортепиано",
        ],
        "lt": [
            "Chorinis dainavimas",
            "Liaudies šokiai",
            "Tapyba ir piešimas",
            "Teatro studija",
            "Gitara",
            "Keramika",
            "Fortepijonas",
        ],
        "en": [
            "Choir singing",
            "Folk dance",
            "Painting and drawing",
            "Theatre studio",
            "Guitar",
            "Ceramics",
            "Piano",
        ],
    },
    "tourism_local_history": {
        "ru": [
            "Юные краеведы",
            "Спортивный туризм",
            "Ориентирование",
            "Школьный музей",
            "Походы выходного дня",
        ],
        "lt": [
            "Jaunieji kraštotyrininkai",
            "Sportinis turizmas",
            "Orientavimosi sportas",
            "Mokyklos muziejus",
            "Savaitgalio žygiai",
        ],
        "en": [
            "Young local historians",
            "Sports tourism",
            "Orienteering",
            "School museum",
            "Weekend hikes",
        ],
    },
    "social_humanitarian": {
        "ru": [
            "Английский язык",
            "Юный журналист",
            "Основы финансовой грамотности",
            "Волонтёрский клуб",
            "Дебаты",
            "Литературная мастерская",
        ],
        "lt": [
            "Anglų kalba",
            "Jaunasis žurnalistas",
            "Finansinis raštingumas",
            "Savanorių klubas",
            "Debatai",
            "Literatūros dirbtuvės",
        ],
        "en": [
            "English language",
            "Young journalist",
            "Financial literacy",
            "Volunteer club",
            "Debating",
            "Creative writing workshop",
        ],
    },
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

PROVIDER_NAMES = {
    "ru": {
        "municipal": [
            "Дом детского творчества",
            "Центр дополнительного образования «Эврика»",
            "Детско-юношеская спортивная школа №1",
            "Станция юных техников",
        ],
        "private": ["Школа робототехники «Роботрек»", "Студия «Акварель»", "Клуб «Гроссмейстер»"],
        "individual": ["ИП Смирнова А. В. (студия керамики)", "ИП Кузнецов Д. С. (гитара)"],
    },
    "lt": {
        "municipal": [
            "Vaikų ir jaunimo centras",
            "Moksleivių namai",
            "Sporto mokykla",
            "Jaunųjų technikų centras",
        ],
        "private": [
            "Robotikos akademija",
            "Dailės studija „Spalvos“",
            "Šachmatų klubas „Karalius“",
        ],
        "individual": [
            "Individuali veikla: keramikos dirbtuvės",
            "Individuali veikla: gitaros pamokos",
        ],
    },
}

STREETS = {
    "ru": [
        "ул. Ленина",
        "пр. Мира",
        "ул. Советская",
        "ул. Гагарина",
        "ул. Школьная",
        "ул. Садовая",
    ],
    "lt": [
        "Gedimino pr.",
        "Vilniaus g.",
        "Laisvės al.",
        "Basanavičiaus g.",
        "Mokyklos g.",
        "Sodų g.",
    ],
}

FIRST_NAMES = {
    "ru": ["Анна", "Мария", "Иван", "Дмитрий", "София", "Артём", "Алиса", "Михаил"],
    "lt": ["Ona", "Marija", "Jonas", "Lukas", "Emilija", "Matas", "Austėja", "Kajus"],
}
LAST_NAMES = {
    "ru": ["Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев"],
    "lt": [
        "Kazlauskaitė",
        "Petraitis",
        "Jankauskienė",
        "Stankevičius",
        "Vasiliauskaitė",
        "Žukauskas",
    ],
}
