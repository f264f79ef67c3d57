"""The words of every domain error in Russian, Lithuanian and English.

A message is looked up by code and locale and filled with the error's values; a field
name is translated too, so a parent never reads `price_per_lesson`.
"""

from __future__ import annotations

from typing import Any

FALLBACK_LOCALE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "error": {
        "en": "Something went wrong. Nothing was changed.",
        "ru": "Что-то пошло не так. Ничего не изменено.",
        "lt": "Kažkas nepavyko. Niekas nepakeista.",
    },
    "not_found": {
        "en": "Not found.",
        "ru": "Не найдено.",
        "lt": "Nerasta.",
    },
    "forbidden": {
        "en": "You are not allowed to do this.",
        "ru": "У вас нет прав на это действие.",
        "lt": "Jums neleidžiama to daryti.",
    },
    "invalid_input": {
        "en": "Please check what you entered.",
        "ru": "Проверьте введённые данные.",
        "lt": "Patikrinkite įvestus duomenis.",
    },
    "conflict": {
        "en": "This cannot be done right now.",
        "ru": "Сейчас это сделать нельзя.",
        "lt": "Šiuo metu to padaryti negalima.",
    },
    # ---- sign-in
    "invalid_credentials": {
        "en": "Wrong e-mail or password.",
        "ru": "Неверный e-mail или пароль.",
        "lt": "Neteisingas el. paštas arba slaptažodis.",
    },
    "too_many_attempts": {
        "en": "Too many attempts. Try again in {minutes} minutes.",
        "ru": "Слишком много попыток. Попробуйте через {minutes} мин.",
        "lt": "Per daug bandymų. Bandykite po {minutes} min.",
    },
    "invitation_invalid": {
        "en": "This invitation has expired, was withdrawn or was already used. Ask for a new one.",
        "ru": "Приглашение устарело, отозвано или уже использовано. Попросите новое.",
        "lt": "Kvietimas nebegalioja, atšauktas arba jau panaudotas. Paprašykite naujo.",
    },
    "invitation_wrong_password": {
        "en": "This address already has an account: enter its password to accept.",
        "ru": "У этого адреса уже есть учётная запись: введите её пароль, чтобы принять"
        " приглашение.",
        "lt": "Šis adresas jau turi paskyrą: įveskite jos slaptažodį, kad priimtumėte kvietimą.",
    },
    "owner_only": {
        "en": "Only an owner of the organisation can do this.",
        "ru": "Это может сделать только владелец организации.",
        "lt": "Tai gali padaryti tik organizacijos savininkas.",
    },
    "staff_already_member": {
        "en": "This person already works for the organisation.",
        "ru": "Этот человек уже работает в организации.",
        "lt": "Šis asmuo jau dirba organizacijoje.",
    },
    "too_many_invitations": {
        "en": "Too many open invitations (at most {max}); withdraw some first.",
        "ru": "Слишком много открытых приглашений (не более {max}); сначала отзовите часть.",
        "lt": "Per daug atvirų kvietimų (ne daugiau kaip {max}); pirmiausia atšaukite kai kuriuos.",
    },
    "last_owner": {
        "en": "The organisation needs at least one owner; make someone else an owner first.",
        "ru": "У организации должен остаться хотя бы один владелец; сначала назначьте другого.",
        "lt": "Organizacija turi turėti bent vieną savininką; pirmiausia paskirkite kitą.",
    },
    "reset_link_invalid": {
        "en": "This link has expired or was already used. Ask for a new one.",
        "ru": "Ссылка устарела или уже использована. Запросите новую.",
        "lt": "Nuoroda nebegalioja arba jau panaudota. Paprašykite naujos.",
    },
    "passwords_differ": {
        "en": "The two passwords are not the same.",
        "ru": "Пароли не совпадают.",
        "lt": "Slaptažodžiai nesutampa.",
    },
    "sign_in_required": {
        "en": "Please sign in.",
        "ru": "Пожалуйста, войдите.",
        "lt": "Prašome prisijungti.",
    },
    "terms_not_accepted": {
        "en": "Please accept the provider's offer terms.",
        "ru": "Примите условия договора-оферты поставщика.",
        "lt": "Sutikite su teikėjo sutarties sąlygomis.",
    },
    "birth_date_locked": {
        "en": "The child has a certificate: only the municipality can correct the birth date.",
        "ru": "У ребёнка уже есть сертификат: дату рождения может исправить только муниципалитет.",
        "lt": "Vaikas jau turi čekį: gimimo datą gali pataisyti tik savivaldybė.",
    },
    "too_many_children": {
        "en": "One account can hold at most {max} children.",
        "ru": "В одном аккаунте может быть не больше {max} детей.",
        "lt": "Vienoje paskyroje gali būti ne daugiau kaip {max} vaikų.",
    },
    "child_exists": {
        "en": "This child is already in your account.",
        "ru": "Этот ребёнок уже добавлен в ваш аккаунт.",
        "lt": "Šis vaikas jau yra jūsų paskyroje.",
    },
    "child_certificate_elsewhere": {
        "en": "A child with this name and date of birth already has a certificate. "
        "Please contact the municipality.",
        "ru": "У ребёнка с такими именем и датой рождения уже есть сертификат. "
        "Обратитесь в муниципалитет.",
        "lt": "Vaikas tokiu vardu ir gimimo data jau turi čekį. Kreipkitės į savivaldybę.",
    },
    "terms_changed": {
        "en": "The price or what the certificate covers has just changed. Check the new "
        "breakdown and apply again.",
        "ru": "Цена или сумма, которую покрывает сертификат, только что изменилась. "
        "Проверьте новый расчёт и подайте заявку ещё раз.",
        "lt": "Kaina arba čekio dengiama suma ką tik pasikeitė. Patikrinkite naują "
        "skaičiavimą ir pateikite paraišką dar kartą.",
    },
    "too_many_keys": {
        "en": "A provider can have at most {max} active API keys.",
        "ru": "У организации может быть не больше {max} действующих API-ключей.",
        "lt": "Organizacija gali turėti ne daugiau kaip {max} galiojančių API raktų.",
    },
    "import_not_utf8": {
        "en": "The file is not UTF-8 text. Save it as CSV UTF-8 and try again.",
        "ru": "Файл не в кодировке UTF-8. Сохраните его как CSV UTF-8 и загрузите снова.",
        "lt": "Failas nėra UTF-8 tekstas. Išsaugokite jį kaip CSV UTF-8 ir bandykite dar kartą.",
    },
    "certificate_not_matched": {
        "en": "No certificate with this number and date of birth.",
        "ru": "Сертификат с таким номером и датой рождения не найден.",
        "lt": "Čekio su tokiu numeriu ir gimimo data nėra.",
    },
    "offer_pending": {
        "en": "This child already has an offer for this group waiting for the parent.",
        "ru": "Этому ребёнку уже отправлено предложение в эту группу: ждём ответа родителя.",
        "lt": "Šiam vaikui jau pasiūlyta ši grupė: laukiama tėvų atsakymo.",
    },
    "offer_decided": {
        "en": "This offer has already been answered.",
        "ru": "На это предложение уже ответили.",
        "lt": "Į šį pasiūlymą jau atsakyta.",
    },
    # ---- mail
    "mail_invite_subject": {
        "en": "An invitation to work for {provider} in the Navigator",
        "ru": "Приглашение в кабинет организации «{provider}» в Навигаторе",
        "lt": "Kvietimas dirbti organizacijos „{provider}“ paskyroje Navigatoriuje",
    },
    "mail_invite_body": {
        "en": "You are invited to keep programs, applications and the attendance register of"
        " {provider}. Open this link within {days} days to accept:\n\n{link}\n\n"
        "If you do not expect it, ignore this letter.",
        "ru": "Вас пригласили вести программы, заявки и журнал посещаемости организации"
        " «{provider}». Чтобы принять приглашение, откройте ссылку в течение {days} дней:"
        "\n\n{link}\n\nЕсли вы не ждали этого письма, просто проигнорируйте его.",
        "lt": "Esate kviečiami tvarkyti organizacijos „{provider}“ programas, paraiškas ir"
        " lankomumo žurnalą. Norėdami priimti kvietimą, atverkite nuorodą per {days} d.:"
        "\n\n{link}\n\nJei šio laiško nelaukėte, tiesiog jį ignoruokite.",
    },
    "mail_reset_subject": {
        "en": "Resetting your Navigator password",
        "ru": "Сброс пароля в Навигаторе",
        "lt": "Navigatoriaus slaptažodžio atkūrimas",
    },
    "mail_reset_body": {
        "en": "To choose a new password, open this link within {hours} hour:\n\n{link}\n\n"
        "If you did not ask for it, ignore this letter: your password stays as it is.",
        "ru": "Чтобы задать новый пароль, откройте ссылку в течение {hours} ч.:\n\n{link}\n\n"
        "Если вы не запрашивали сброс, просто проигнорируйте письмо: пароль не изменится.",
        "lt": "Norėdami pasirinkti naują slaptažodį, atverkite šią nuorodą per {hours} val.:\n\n"
        "{link}\n\nJei to neprašėte, nekreipkite dėmesio: slaptažodis nepasikeis.",
    },
    # ---- input
    "field_required": {
        "en": "Please fill in “{field}”.",
        "ru": "Заполните поле «{field}».",
        "lt": "Užpildykite laukelį „{field}“.",
    },
    "field_too_long": {
        "en": "“{field}” is too long: at most {max_length} characters.",
        "ru": "Поле «{field}» слишком длинное: не более {max_length} символов.",
        "lt": "Laukelis „{field}“ per ilgas: ne daugiau kaip {max_length} simbolių.",
    },
    "field_control_characters": {
        "en": "“{field}” contains characters that cannot be saved.",
        "ru": "Поле «{field}» содержит недопустимые символы.",
        "lt": "Laukelyje „{field}“ yra neleistinų simbolių.",
    },
    "field_not_allowed": {
        "en": "“{field}” must be one of: {allowed}.",
        "ru": "Поле «{field}» должно быть одним из: {allowed}.",
        "lt": "Laukelis „{field}“ turi būti vienas iš: {allowed}.",
    },
    "must_be_positive": {
        "en": "“{field}” must be greater than zero.",
        "ru": "Значение «{field}» должно быть больше нуля.",
        "lt": "„{field}“ turi būti didesnis už nulį.",
    },
    "must_not_be_negative": {
        "en": "“{field}” cannot be negative.",
        "ru": "Значение «{field}» не может быть отрицательным.",
        "lt": "„{field}“ negali būti neigiamas.",
    },
    "must_be_whole_number": {
        "en": "“{field}” must be a whole number.",
        "ru": "Значение «{field}» должно быть целым числом.",
        "lt": "„{field}“ turi būti sveikasis skaičius.",
    },
    "value_too_large": {
        "en": "“{field}” is too large (at most {max}).",
        "ru": "Значение «{field}» слишком велико (не более {max}).",
        "lt": "„{field}“ per didelis (ne daugiau kaip {max}).",
    },
    "date_invalid": {
        "en": "“{field}” must be a date.",
        "ru": "Поле «{field}» должно содержать дату.",
        "lt": "Laukelyje „{field}“ turi būti data.",
    },
    "group_too_long": {
        "en": "A group can run for at most {days} days.",
        "ru": "Группа может работать не более {days} дней.",
        "lt": "Grupė gali veikti ne ilgiau kaip {days} dienų.",
    },
    "query_out_of_range": {
        "en": "“{field}” must be between {min} and {max}.",
        "ru": "Значение «{field}» должно быть от {min} до {max}.",
        "lt": "„{field}“ turi būti nuo {min} iki {max}.",
    },
    "query_needs_point": {
        "en": "“{field}” needs a place: choose a city, an address or your location.",
        "ru": "Для «{field}» нужна точка: выберите город, адрес или своё местоположение.",
        "lt": "„{field}“ reikia vietos: pasirinkite miestą, adresą arba savo buvimo vietą.",
    },
    "age_out_of_range": {
        "en": "Ages must be between {min} and {max}.",
        "ru": "Возраст должен быть от {min} до {max} лет.",
        "lt": "Amžius turi būti nuo {min} iki {max} metų.",
    },
    "age_range_reversed": {
        "en": "The youngest age cannot be above the oldest.",
        "ru": "Минимальный возраст не может быть больше максимального.",
        "lt": "Mažiausias amžius negali būti didesnis už didžiausią.",
    },
    "dates_reversed": {
        "en": "The end date must come after the start date.",
        "ru": "Дата окончания должна быть позже даты начала.",
        "lt": "Pabaigos data turi būti vėlesnė už pradžios datą.",
    },
    "email_invalid": {
        "en": "This does not look like an email address.",
        "ru": "Это не похоже на адрес электронной почты.",
        "lt": "Tai nepanašu į el. pašto adresą.",
    },
    "email_taken": {
        "en": "An account with this email already exists.",
        "ru": "Учётная запись с этим адресом уже существует.",
        "lt": "Paskyra su šiuo el. pašto adresu jau yra.",
    },
    "password_too_short": {
        "en": "The password must have at least {min} characters.",
        "ru": "Пароль должен содержать не менее {min} символов.",
        "lt": "Slaptažodyje turi būti bent {min} simbolių.",
    },
    "password_too_simple": {
        "en": "Use both letters and digits or other characters in the password.",
        "ru": "Используйте в пароле и буквы, и цифры или другие символы.",
        "lt": "Slaptažodyje naudokite ir raides, ir skaitmenis ar kitus simbolius.",
    },
    "timezone_unknown": {
        "en": "Unknown time zone: {value}.",
        "ru": "Неизвестный часовой пояс: {value}.",
        "lt": "Nežinoma laiko juosta: {value}.",
    },
    "coordinates_incomplete": {
        "en": "Give both latitude and longitude, or neither.",
        "ru": "Укажите и широту, и долготу — или ни то, ни другое.",
        "lt": "Nurodykite ir platumą, ir ilgumą arba nė vieno.",
    },
    "coordinates_out_of_range": {
        "en": "The coordinates are outside the map.",
        "ru": "Координаты вне допустимого диапазона.",
        "lt": "Koordinatės už leistinų ribų.",
    },
    "unknown_currency": {
        "en": "Unknown currency: {currency}.",
        "ru": "Неизвестная валюта: {currency}.",
        "lt": "Nežinoma valiuta: {currency}.",
    },
    "amount_not_a_number": {
        "en": "“{value}” is not an amount of money.",
        "ru": "«{value}» — не денежная сумма.",
        "lt": "„{value}“ nėra pinigų suma.",
    },
    "amount_too_precise": {
        "en": "“{value}” has more than {digits} decimals.",
        "ru": "В сумме «{value}» больше {digits} знаков после запятой.",
        "lt": "Sumoje „{value}“ daugiau nei {digits} skaitmenys po kablelio.",
    },
    "amount_negative": {
        "en": "An amount cannot be negative.",
        "ru": "Сумма не может быть отрицательной.",
        "lt": "Suma negali būti neigiama.",
    },
    "timetable_empty": {
        "en": "Add at least one lesson day to the timetable.",
        "ru": "Добавьте в расписание хотя бы один день занятий.",
        "lt": "Į tvarkaraštį įtraukite bent vieną užsiėmimų dieną.",
    },
    "timetable_weekday": {
        "en": "A lesson day must be a weekday from Monday to Sunday.",
        "ru": "День занятия должен быть днём недели с понедельника по воскресенье.",
        "lt": "Užsiėmimo diena turi būti savaitės diena nuo pirmadienio iki sekmadienio.",
    },
    "timetable_weekday_twice": {
        "en": "Each weekday can appear only once in the timetable.",
        "ru": "Каждый день недели может встречаться в расписании только один раз.",
        "lt": "Kiekviena savaitės diena tvarkaraštyje gali būti tik kartą.",
    },
    "timetable_time": {
        "en": "Lesson times must be HH:MM, and a lesson must end after it starts.",
        "ru": "Время занятия указывается как ЧЧ:ММ, и окончание должно быть позже начала.",
        "lt": "Užsiėmimo laikas nurodomas VV:MM, o pabaiga turi būti vėliau už pradžią.",
    },
    "timetable_no_lessons": {
        "en": "This timetable has no lessons between the start and end dates.",
        "ru": "В этом расписании нет ни одного занятия между датами начала и окончания.",
        "lt": "Šiame tvarkaraštyje tarp pradžios ir pabaigos datų nėra nė vieno užsiėmimo.",
    },
    "birth_date_in_future": {
        "en": "The birth date cannot be in the future.",
        "ru": "Дата рождения не может быть в будущем.",
        "lt": "Gimimo data negali būti ateityje.",
    },
    "child_too_old": {
        "en": "The navigator is for children under {max}.",
        "ru": "Навигатор предназначен для детей младше {max} лет.",
        "lt": "Navigatorius skirtas jaunesniems nei {max} metų vaikams.",
    },
    "import_columns_missing": {
        "en": "The file lacks these columns: {columns}.",
        "ru": "В файле нет столбцов: {columns}.",
        "lt": "Faile trūksta stulpelių: {columns}.",
    },
    "import_row_shape": {
        "en": "This row has a different number of values than the header.",
        "ru": "В этой строке другое число значений, чем в заголовке.",
        "lt": "Šioje eilutėje reikšmių skaičius kitoks nei antraštėje.",
    },
    "import_too_many_rows": {
        "en": "A file may hold at most {max} rows; the rest was not read.",
        "ru": "В файле может быть не более {max} строк; остальные не прочитаны.",
        "lt": "Faile gali būti ne daugiau kaip {max} eilučių; likusios neperskaitytos.",
    },
    "import_lessons_per_week": {
        "en": "lessons_per_week must equal the number of weekdays ({weekdays}).",
        "ru": "lessons_per_week должно совпадать с числом дней недели ({weekdays}).",
        "lt": "lessons_per_week turi sutapti su savaitės dienų skaičiumi ({weekdays}).",
    },
    "import_seats_below_taken": {
        "en": "The group already has {taken} children; it cannot have fewer seats.",
        "ru": "В группе уже {taken} детей; мест не может быть меньше.",
        "lt": "Grupėje jau yra {taken} vaikų; vietų negali būti mažiau.",
    },
    # ---- certificates
    "certificate_age": {
        "en": "A certificate is issued to children from age {min} until they turn {max}.",
        "ru": "Сертификат выдаётся детям с {min} лет и до достижения {max} лет.",
        "lt": "Sertifikatas išduodamas vaikams nuo {min} metų, kol jiems sukaks {max}.",
    },
    "certificate_exists": {
        "en": "This child already has certificate {number}.",
        "ru": "У ребёнка уже есть сертификат {number}.",
        "lt": "Vaikas jau turi sertifikatą {number}.",
    },
    "certificate_number_format": {
        "en": "A certificate number has {digits} digits.",
        "ru": "Номер сертификата состоит из {digits} цифр.",
        "lt": "Sertifikato numerį sudaro {digits} skaitmenų.",
    },
    "certificate_number_check_digit": {
        "en": "This certificate number has a typo: please check it.",
        "ru": "В номере сертификата опечатка: проверьте его.",
        "lt": "Sertifikato numeryje klaida: patikrinkite jį.",
    },
    "certificate_expired": {
        "en": "The certificate is no longer valid.",
        "ru": "Срок действия сертификата истёк.",
        "lt": "Sertifikatas nebegalioja.",
    },
    "certificate_required": {
        "en": "Request a certificate for the child first.",
        "ru": "Сначала получите сертификат для ребёнка.",
        "lt": "Pirmiausia gaukite vaikui sertifikatą.",
    },
    "certificate_not_funded": {
        "en": "The certificate has no money in the current funding period.",
        "ru": "На сертификате нет средств в текущем периоде финансирования.",
        "lt": "Sertifikate nėra lėšų einamuoju finansavimo laikotarpiu.",
    },
    "period_not_open": {
        "en": "The funding period is not open.",
        "ru": "Период финансирования не открыт.",
        "lt": "Finansavimo laikotarpis neatidarytas.",
    },
    "period_overlaps": {
        "en": "This period overlaps another funding period.",
        "ru": "Этот период пересекается с другим периодом финансирования.",
        "lt": "Šis laikotarpis persidengia su kitu finansavimo laikotarpiu.",
    },
    "no_nominal_rule": {
        "en": "No nominal value is set for this child's age and category.",
        "ru": "Для возраста и категории ребёнка номинал не установлен.",
        "lt": "Šio vaiko amžiui ir kategorijai nominali vertė nenustatyta.",
    },
    "period_certificate_cap_reached": {
        "en": "All funded certificates of this period have been issued.",
        "ru": "Все сертификаты финансирования этого периода уже выданы.",
        "lt": "Visi šio laikotarpio finansuojami sertifikatai jau išduoti.",
    },
    "period_budget_exhausted": {
        "en": "The municipality's budget for this funding period cannot cover this enrollment"
        " ({remaining} left).",
        "ru": "Бюджета муниципалитета на этот период финансирования не хватает на это зачисление"
        " (осталось {remaining}).",
        "lt": "Savivaldybės šio finansavimo laikotarpio biudžeto šiam įrašymui nepakanka"
        " (liko {remaining}).",
    },
    "insufficient_balance": {
        "en": "The certificate balance ({available}) no longer covers the agreed amount.",
        "ru": "Остатка на сертификате ({available}) уже не хватает на согласованную сумму.",
        "lt": "Sertifikato likučio ({available}) nebepakanka sutartai sumai.",
    },
    "capture_exceeds_hold": {
        "en": "The debit is larger than the reserved amount.",
        "ru": "Списание больше зарезервированной суммы.",
        "lt": "Nurašymas didesnis už rezervuotą sumą.",
    },
    "release_exceeds_hold": {
        "en": "The release is larger than the reserved amount.",
        "ru": "Возврат больше зарезервированной суммы.",
        "lt": "Grąžinama daugiau nei rezervuota.",
    },
    "refund_exceeds_spent": {
        "en": "The refund is larger than what was spent.",
        "ru": "Возврат больше списанной суммы.",
        "lt": "Grąžinama daugiau nei išleista.",
    },
    # ---- catalog and enrollment
    "municipality_code_taken": {
        "en": "A municipality with code {code} already exists.",
        "ru": "Муниципалитет с кодом {code} уже существует.",
        "lt": "Savivaldybė su kodu {code} jau yra.",
    },
    "certification_transition": {
        "en": "A program that is {current} cannot become {target}.",
        "ru": "Программу в статусе «{current}» нельзя перевести в «{target}».",
        "lt": "Programos, kurios būsena „{current}“, negalima pakeisti į „{target}“.",
    },
    "program_not_open": {
        "en": "This program is not open for enrollment.",
        "ru": "Запись на эту программу закрыта.",
        "lt": "Registracija į šią programą uždaryta.",
    },
    "group_closed": {
        "en": "Enrollment in this group is closed.",
        "ru": "Запись в эту группу закрыта.",
        "lt": "Registracija į šią grupę uždaryta.",
    },
    "group_full": {
        "en": "The group has no free seats.",
        "ru": "В группе нет свободных мест.",
        "lt": "Grupėje nėra laisvų vietų.",
    },
    "age_does_not_fit": {
        "en": "The program is for ages {min} to {max}; the child will be {age}.",
        "ru": "Программа для детей от {min} до {max} лет, а ребёнку будет {age}.",
        "lt": "Programa skirta {min}–{max} metų vaikams, o vaikui bus {age}.",
    },
    "already_enrolled": {
        "en": "The child has already applied to or is enrolled in this group.",
        "ru": "Ребёнок уже подал заявку или зачислен в эту группу.",
        "lt": "Vaikas jau pateikė paraišką arba yra priimtas į šią grupę.",
    },
    "funded_limit_reached": {
        "en": "A child can attend at most {limit} programs paid by certificate at once.",
        "ru": "Одновременно можно посещать не более {limit} программ, оплачиваемых сертификатом.",
        "lt": "Vienu metu galima lankyti ne daugiau kaip {limit} sertifikatu apmokamas programas.",
    },
    "enrollment_not_pending": {
        "en": "This application is not waiting for a decision (it is {status}).",
        "ru": "Эта заявка не ожидает решения (её статус: {status}).",
        "lt": "Ši paraiška nelaukia sprendimo (jos būsena: {status}).",
    },
    "enrollment_not_live": {
        "en": "This enrollment has already ended ({status}).",
        "ru": "Это зачисление уже завершено ({status}).",
        "lt": "Šis priėmimas jau baigtas ({status}).",
    },
    "attendance_not_enrolled": {
        "en": "Attendance can only be marked for an enrolled child (this one is {status}).",
        "ru": "Посещаемость отмечается только для зачисленного ребёнка (статус: {status}).",
        "lt": "Lankomumas žymimas tik priimtam vaikui (būsena: {status}).",
    },
    "attendance_in_future": {
        "en": "Attendance cannot be marked for a future lesson.",
        "ru": "Нельзя отметить посещение будущего занятия.",
        "lt": "Negalima pažymėti būsimo užsiėmimo lankomumo.",
    },
    "attendance_not_a_lesson": {
        "en": "There is no lesson of this enrollment on {date}.",
        "ru": "{date} нет занятия по этому зачислению.",
        "lt": "{date} šio priėmimo užsiėmimo nėra.",
    },
    "attendance_already_marked": {
        "en": "Attendance for {date} is already marked.",
        "ru": "Посещаемость за {date} уже отмечена.",
        "lt": "{date} lankomumas jau pažymėtas.",
    },
    "photo_not_image": {
        "en": "This file is not a photo: upload a JPEG, PNG or WebP image.",
        "ru": "Этот файл — не фотография: загрузите изображение JPEG, PNG или WebP.",
        "lt": "Šis failas nėra nuotrauka: įkelkite JPEG, PNG arba WebP paveikslėlį.",
    },
    "photo_too_large": {
        "en": "The photo is too large: at most {max_mb} MB.",
        "ru": "Фотография слишком большая: не более {max_mb} МБ.",
        "lt": "Nuotrauka per didelė: ne daugiau kaip {max_mb} MB.",
    },
    "photo_too_small": {
        "en": "The photo is too small: at least {min} pixels on each side.",
        "ru": "Фотография слишком маленькая: не менее {min} пикселей по каждой стороне.",
        "lt": "Nuotrauka per maža: ne mažiau kaip {min} taškų kiekvienoje pusėje.",
    },
    "program_archived": {
        "en": "This program is archived; restore it to change it.",
        "ru": "Программа в архиве; чтобы изменить её, верните её из архива.",
        "lt": "Programa archyvuota; norėdami ją keisti, grąžinkite ją iš archyvo.",
    },
    "listing_transition": {
        "en": "A program that is {current} cannot become {target}.",
        "ru": "Программу в состоянии «{current}» нельзя перевести в «{target}».",
        "lt": "Programos, kurios būsena „{current}“, negalima perkelti į „{target}“.",
    },
    "archive_with_children": {
        "en": "Children are still enrolled or waiting in this program ({count}); finish or"
        " cancel their enrollments before archiving it.",
        "ru": "В программе ещё есть зачисленные или ожидающие дети ({count}); завершите или"
        " отмените их зачисления, прежде чем отправлять её в архив.",
        "lt": "Programoje dar yra priimtų ar laukiančių vaikų ({count}); prieš archyvuodami"
        " užbaikite arba atšaukite jų priėmimus.",
    },
    "correction_window_closed": {
        "en": "Marks can only be corrected within {days} days of the lesson.",
        "ru": "Отметку можно исправить только в течение {days} дн. после занятия.",
        "lt": "Žymą galima taisyti tik per {days} d. po užsiėmimo.",
    },
    "correction_same_status": {
        "en": "The lesson is already marked so; choose another mark.",
        "ru": "Занятие уже отмечено так; выберите другую отметку.",
        "lt": "Užsiėmimas jau taip pažymėtas; pasirinkite kitą žymą.",
    },
    "correction_period_closed": {
        "en": "The funding period of this lesson is closed; its payment can no longer change.",
        "ru": "Период финансирования этого занятия закрыт; оплату уже нельзя изменить.",
        "lt": "Šio užsiėmimo finansavimo laikotarpis uždarytas; mokėjimo keisti nebegalima.",
    },
    "provider_already_admitted": {
        "en": "The provider is already admitted.",
        "ru": "Поставщик уже допущен.",
        "lt": "Teikėjas jau priimtas.",
    },
    "budget_below_committed": {
        "en": "The budget cannot be less than what is already committed and spent ({committed}).",
        "ru": "Бюджет не может быть меньше уже зарезервированного и потраченного ({committed}).",
        "lt": "Biudžetas negali būti mažesnis nei jau rezervuota ir išleista ({committed}).",
    },
    "cap_below_funded": {
        "en": "The cap cannot be less than the certificates already funded ({funded}).",
        "ru": "Лимит не может быть меньше числа уже профинансированных сертификатов ({funded}).",
        "lt": "Riba negali būti mažesnė nei jau finansuotų sertifikatų skaičius ({funded}).",
    },
    "period_closed": {
        "en": "This funding period is closed; it can no longer be changed.",
        "ru": "Этот период финансирования закрыт; его больше нельзя изменить.",
        "lt": "Šis finansavimo laikotarpis uždarytas; jo nebegalima keisti.",
    },
    "period_without_nominal": {
        "en": "Set the nominal values before opening the period.",
        "ru": "Перед открытием периода задайте номиналы.",
        "lt": "Prieš atidarydami laikotarpį nustatykite nominalias vertes.",
    },
    "effective_outside_period": {
        "en": "The effective date must fall within the funding period.",
        "ru": "Дата начала действия должна быть внутри периода финансирования.",
        "lt": "Įsigaliojimo data turi būti finansavimo laikotarpio viduje.",
    },
    "effective_in_past": {
        "en": "The effective date cannot be in the past: money already credited never changes.",
        "ru": "Дата начала действия не может быть в прошлом: уже начисленные средства не меняются.",
        "lt": "Įsigaliojimo data negali būti praeityje: jau priskirtos lėšos nesikeičia.",
    },
    "nominal_table_empty": {
        "en": "Enter at least one age range with its nominal value.",
        "ru": "Укажите хотя бы один возрастной диапазон с номиналом.",
        "lt": "Įveskite bent vieną amžiaus intervalą su nominalia verte.",
    },
    "nominal_table_too_long": {
        "en": "A nominal table has at most {max} age ranges.",
        "ru": "В таблице номиналов не больше {max} возрастных диапазонов.",
        "lt": "Nominalių verčių lentelėje gali būti ne daugiau kaip {max} amžiaus intervalų.",
    },
    "age_ranges_overlap": {
        "en": "The age ranges {first} and {second} overlap.",
        "ru": "Возрастные диапазоны {first} и {second} пересекаются.",
        "lt": "Amžiaus intervalai {first} ir {second} persidengia.",
    },
    "age_ranges_gap": {
        "en": "The age ranges leave ages {start}–{end} without a nominal value.",
        "ru": "Возрастные диапазоны оставляют возраст {start}–{end} без номинала.",
        "lt": "Amžiaus intervalai palieka {start}–{end} m. amžių be nominalios vertės.",
    },
    "nominal_table_in_use": {
        "en": "Certificates have already been funded by the table of this date;"
        " give the new table a later effective date.",
        "ru": "По таблице с этой датой уже профинансированы сертификаты;"
        " укажите для новой таблицы более позднюю дату.",
        "lt": "Pagal šios datos lentelę jau finansuoti sertifikatai;"
        " naujai lentelei nurodykite vėlesnę datą.",
    },
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Title", "ru": "Название", "lt": "Pavadinimas"},
    "group_id": {"en": "Group", "ru": "Группа", "lt": "Grupė"},
    "file": {"en": "File", "ru": "Файл", "lt": "Failas"},
    "municipality_id": {"en": "Municipality", "ru": "Муниципалитет", "lt": "Savivaldybė"},
    "child_id": {"en": "Child", "ru": "Ребёнок", "lt": "Vaikas"},
    "description": {"en": "Description", "ru": "Описание", "lt": "Aprašymas"},
    "name": {"en": "Name", "ru": "Название", "lt": "Pavadinimas"},
    "first_name": {"en": "First name", "ru": "Имя", "lt": "Vardas"},
    "last_name": {"en": "Last name", "ru": "Фамилия", "lt": "Pavardė"},
    "full_name": {"en": "Full name", "ru": "ФИО", "lt": "Vardas ir pavardė"},
    "password": {"en": "Password", "ru": "Пароль", "lt": "Slaptažodis"},
    "address": {"en": "Address", "ru": "Адрес", "lt": "Adresas"},
    "tags": {"en": "Tags", "ru": "Теги", "lt": "Žymos"},
    "direction": {"en": "Direction", "ru": "Направленность", "lt": "Kryptis"},
    "language": {"en": "Language", "ru": "Язык", "lt": "Kalba"},
    "format": {"en": "Format", "ru": "Формат", "lt": "Forma"},
    "category": {"en": "Category", "ru": "Категория", "lt": "Kategorija"},
    "kind": {"en": "Kind", "ru": "Тип", "lt": "Rūšis"},
    "locale": {"en": "Language", "ru": "Язык", "lt": "Kalba"},
    "code": {"en": "Code", "ru": "Код", "lt": "Kodas"},
    "country": {"en": "Country", "ru": "Страна", "lt": "Šalis"},
    "licence_number": {"en": "Licence number", "ru": "Номер лицензии", "lt": "Licencijos numeris"},
    "teacher": {"en": "Teacher", "ru": "Педагог", "lt": "Mokytojas"},
    "seats": {"en": "Seats", "ru": "Количество мест", "lt": "Vietų skaičius"},
    "price_per_lesson": {
        "en": "Price per lesson",
        "ru": "Стоимость занятия",
        "lt": "Užsiėmimo kaina",
    },
    "budget": {"en": "Budget", "ru": "Бюджет", "lt": "Biudžetas"},
    "nominal": {"en": "Nominal value", "ru": "Номинал", "lt": "Nominali vertė"},
    "max_funded_certificates": {
        "en": "Funded certificates",
        "ru": "Число сертификатов финансирования",
        "lt": "Finansuojamų sertifikatų skaičius",
    },
    "max_funded_enrollments": {
        "en": "Funded programs at once",
        "ru": "Программ по сертификату одновременно",
        "lt": "Sertifikatu apmokamų programų vienu metu",
    },
    "reason": {"en": "Reason", "ru": "Причина", "lt": "Priežastis"},
    "status": {"en": "Status", "ru": "Статус", "lt": "Būsena"},
    "role": {"en": "Role", "ru": "Роль", "lt": "Vaidmuo"},
    "q": {"en": "Search", "ru": "Поиск", "lt": "Paieška"},
    "age_min": {"en": "Youngest age", "ru": "Возраст от", "lt": "Amžius nuo"},
    "age_max": {"en": "Oldest age", "ru": "Возраст до", "lt": "Amžius iki"},
    "lessons_per_week": {
        "en": "Lessons per week",
        "ru": "Занятий в неделю",
        "lt": "Užsiėmimų per savaitę",
    },
    "start_date": {"en": "Start date", "ru": "Дата начала", "lt": "Pradžios data"},
    "end_date": {"en": "End date", "ru": "Дата окончания", "lt": "Pabaigos data"},
    "municipality": {"en": "Municipality", "ru": "Муниципалитет", "lt": "Savivaldybė"},
    "lat": {"en": "Latitude", "ru": "Широта", "lt": "Platuma"},
    "lng": {"en": "Longitude", "ru": "Долгота", "lt": "Ilguma"},
    "radius_km": {"en": "Radius, km", "ru": "Радиус, км", "lt": "Spindulys, km"},
    "sort": {"en": "Sort", "ru": "Сортировка", "lt": "Rikiavimas"},
    "age": {"en": "Age", "ru": "Возраст", "lt": "Amžius"},
    "price_max": {"en": "Highest price", "ru": "Максимальная цена", "lt": "Didžiausia kaina"},
    "weekday": {"en": "Weekday", "ru": "День недели", "lt": "Savaitės diena"},
    "page": {"en": "Page", "ru": "Страница", "lt": "Puslapis"},
    "per_page": {
        "en": "Results per page",
        "ru": "Результатов на странице",
        "lt": "Rezultatų puslapyje",
    },
    "starts_on": {"en": "Start date", "ru": "Дата начала", "lt": "Pradžios data"},
    "ends_on": {"en": "End date", "ru": "Дата окончания", "lt": "Pabaigos data"},
    "lesson_date": {"en": "Lesson date", "ru": "Дата занятия", "lt": "Užsiėmimo data"},
    "birth_date": {"en": "Birth date", "ru": "Дата рождения", "lt": "Gimimo data"},
    "excluded_dates": {"en": "Days off", "ru": "Нерабочие дни", "lt": "Nedarbo dienos"},
    "effective_from": {"en": "Effective from", "ru": "Действует с", "lt": "Galioja nuo"},
    "absence_charge": {
        "en": "Charge for absence",
        "ru": "Оплата пропусков",
        "lt": "Mokestis už praleistus užsiėmimus",
    },
    "attendance_correction_days": {
        "en": "Days to correct attendance",
        "ru": "Срок исправления посещаемости, дней",
        "lt": "Lankomumo taisymo terminas, dienomis",
    },
    "prorate_late_start": {
        "en": "Prorate late start",
        "ru": "Пропорционально при позднем начале",
        "lt": "Proporcingai vėlyvai pradžiai",
    },
    "decision": {"en": "Decision", "ru": "Решение", "lt": "Sprendimas"},
    "district": {"en": "District", "ru": "Район", "lt": "Rajonas"},
}


VALUE_LABELS: dict[str, dict[str, str]] = {
    # certificate statuses and ledger entry kinds
    "accounting": {"en": "registered", "ru": "учётный", "lt": "įregistruotas"},
    "funded": {"en": "funded", "ru": "с номиналом", "lt": "finansuojamas"},
    "credit": {"en": "credited", "ru": "зачисление", "lt": "įskaityta"},
    "hold": {"en": "held", "ru": "резерв", "lt": "rezervuota"},
    "capture": {"en": "paid for a lesson", "ru": "оплата занятия", "lt": "apmokėtas užsiėmimas"},
    "release": {"en": "released", "ru": "возврат резерва", "lt": "rezervas grąžintas"},
    "refund": {"en": "refunded", "ru": "возврат оплаты", "lt": "grąžinta"},
    "expire": {"en": "expired", "ru": "сгорание остатка", "lt": "likutis nebegalioja"},
    # directions
    "technical": {"en": "technical", "ru": "техническая", "lt": "techninė"},
    "natural_science": {"en": "natural science", "ru": "естественнонаучная", "lt": "gamtos mokslų"},
    "physical_sports": {
        "en": "physical culture and sports",
        "ru": "физкультурно-спортивная",
        "lt": "kūno kultūros ir sporto",
    },
    "artistic": {"en": "artistic", "ru": "художественная", "lt": "meninė"},
    "tourism_local_history": {
        "en": "tourism and local history",
        "ru": "туристско-краеведческая",
        "lt": "turizmo ir kraštotyros",
    },
    "social_humanitarian": {
        "en": "social and humanitarian",
        "ru": "социально-гуманитарная",
        "lt": "socialinė ir humanitarinė",
    },
    # formats and languages
    "in_person": {"en": "in person", "ru": "очно", "lt": "kontaktinis"},
    "online": {"en": "online", "ru": "онлайн", "lt": "nuotolinis"},
    "mixed": {"en": "mixed", "ru": "смешанный", "lt": "mišrus"},
    "ru": {"en": "Russian", "ru": "русский", "lt": "rusų"},
    "lt": {"en": "Lithuanian", "ru": "литовский", "lt": "lietuvių"},
    "en": {"en": "English", "ru": "английский", "lt": "anglų"},
    # child categories and provider kinds
    "base": {"en": "base", "ru": "базовая", "lt": "bazinė"},
    "disability": {"en": "disability", "ru": "ОВЗ / инвалидность", "lt": "negalia"},
    "large_family": {"en": "large family", "ru": "многодетная семья", "lt": "daugiavaikė šeima"},
    "municipal": {
        "en": "municipal institution",
        "ru": "муниципальное учреждение",
        "lt": "savivaldybės įstaiga",
    },
    "private": {
        "en": "private organisation",
        "ru": "частная организация",
        "lt": "privati organizacija",
    },
    "individual": {
        "en": "individual entrepreneur",
        "ru": "индивидуальный предприниматель",
        "lt": "individuali veikla",
    },
    # roles
    "parent": {"en": "parent", "ru": "родитель", "lt": "tėvai"},
    "provider_owner": {
        "en": "provider owner",
        "ru": "руководитель организации",
        "lt": "teikėjo vadovas",
    },
    "provider_staff": {
        "en": "provider staff",
        "ru": "сотрудник организации",
        "lt": "teikėjo darbuotojas",
    },
    "municipality_admin": {
        "en": "municipality administrator",
        "ru": "администратор муниципалитета",
        "lt": "savivaldybės administratorius",
    },
    "school_coordinator": {
        "en": "school coordinator",
        "ru": "координатор школы",
        "lt": "mokyklos koordinatorius",
    },
    "operator": {"en": "operator", "ru": "оператор", "lt": "operatorius"},
    # period statuses and absence charges
    "open": {"en": "open", "ru": "открыт", "lt": "atidarytas"},
    "closed": {"en": "closed", "ru": "закрыт", "lt": "uždarytas"},
    "none": {"en": "no charge", "ru": "не оплачиваются", "lt": "nemokama"},
    "full": {"en": "full price", "ru": "оплачиваются полностью", "lt": "visa kaina"},
    # statuses
    "draft": {"en": "draft", "ru": "черновик", "lt": "juodraštis"},
    "submitted": {"en": "submitted", "ru": "на сертификации", "lt": "pateikta"},
    "certified": {"en": "certified", "ru": "сертифицирована", "lt": "sertifikuota"},
    "rejected": {"en": "rejected", "ru": "отклонена", "lt": "atmesta"},
    "suspended": {"en": "suspended", "ru": "приостановлена", "lt": "sustabdyta"},
    "listed": {"en": "in the catalog", "ru": "в каталоге", "lt": "kataloge"},
    "archived": {"en": "archived", "ru": "в архиве", "lt": "archyvuota"},
    "applied": {"en": "applied", "ru": "заявка подана", "lt": "paraiška pateikta"},
    "waitlisted": {
        "en": "on the waiting list",
        "ru": "в листе ожидания",
        "lt": "laukiančiųjų sąraše",
    },
    "accepted": {"en": "accepted", "ru": "принята", "lt": "priimta"},
    "active": {"en": "attending", "ru": "занимается", "lt": "lanko"},
    "completed": {"en": "completed", "ru": "завершено", "lt": "baigta"},
    "cancelled": {"en": "cancelled", "ru": "отменено", "lt": "atšaukta"},
    "present": {"en": "present", "ru": "присутствовал", "lt": "dalyvavo"},
    "absent": {"en": "absent", "ru": "отсутствовал", "lt": "nedalyvavo"},
    "excused": {"en": "excused", "ru": "по уважительной причине", "lt": "pateisinta"},
}
TRANSLATED_VALUES = ("status", "current", "target")


def value_label(value: str, locale: str) -> str:
    labels = VALUE_LABELS.get(value)
    return labels.get(locale, labels[FALLBACK_LOCALE]) if labels else value


def field_label(field: str, locale: str) -> str:
    labels = FIELD_LABELS.get(field)
    return labels.get(locale, labels[FALLBACK_LOCALE]) if labels else field


def translate(code: str, locale: str, /, **params: Any) -> str:
    """The message for `code` in `locale` (English when missing), filled with `params`.

    A value named `x_minor` fills `{x}` as money in the `currency` param's units.
    """
    from navigator.domain.money import format_amount  # money imports errors, errors us

    templates = MESSAGES.get(code) or MESSAGES["error"]
    template = templates.get(locale) or templates[FALLBACK_LOCALE]
    values = dict(params)
    for name, value in params.items():
        if name.endswith("_minor"):
            currency = params.get("currency")
            values[name.removesuffix("_minor")] = (
                format_amount(int(value), str(currency), locale) if currency else str(value)
            )
    if "field" in values:
        values["field"] = field_label(str(values["field"]), locale)
    if "allowed" in values:
        allowed = str(values["allowed"]).split(", ")
        values["allowed"] = ", ".join(value_label(v, locale) for v in allowed)
    for name in TRANSLATED_VALUES:
        if name in values:
            values[name] = value_label(str(values[name]), locale)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
