"""The words of the pages in Russian, Lithuanian and English.

Each entry is (ru, lt, en). Domain errors have their own table in
`navigator.domain.messages`; enumerations (directions, formats, entry kinds) too.
"""

from __future__ import annotations

from functools import cache

from navigator.settings import SUPPORTED_LOCALES

WEEKDAY_NAMES = {
    "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
    "lt": ("Pr", "An", "Tr", "Kt", "Pn", "Še", "Sk"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

_UI: dict[str, tuple[str, str, str]] = {
    # ---- shell
    "brand": ("Навигатор", "Navigatorius", "Navigator"),
    "brand_long": (
        "Навигатор дополнительного образования",
        "Neformaliojo švietimo navigatorius",
        "Navigator of children's programs",
    ),
    "nav_catalog": ("Каталог", "Katalogas", "Catalog"),
    "nav_cabinet": ("Личный кабинет", "Paskyra", "My account"),
    "nav_sign_in": ("Войти", "Prisijungti", "Sign in"),
    "nav_register": ("Регистрация", "Registracija", "Register"),
    "nav_sign_out": ("Выйти", "Atsijungti", "Sign out"),
    "language": ("Язык", "Kalba", "Language"),
    "skip_to_content": ("К содержанию", "Į turinį", "Skip to content"),
    "loading": ("Загрузка…", "Įkeliama…", "Loading…"),
    # ---- catalog
    "search_label": ("Поиск программ", "Programų paieška", "Search programs"),
    "search_placeholder": (
        "Например: робототехника, шахматы, плавание",
        "Pavyzdžiui: robotika, šachmatai, plaukimas",
        "For example: robotics, chess, swimming",
    ),
    "filters": ("Фильтры", "Filtrai", "Filters"),
    "facet_direction": ("Направленность", "Kryptis", "Direction"),
    "facet_format": ("Формат", "Forma", "Format"),
    "facet_language": ("Язык обучения", "Mokymo kalba", "Language of teaching"),
    "facet_municipality": ("Муниципалитет", "Savivaldybė", "Municipality"),
    "facet_weekday": ("Дни недели", "Savaitės dienos", "Weekdays"),
    "child_age": ("Возраст ребёнка", "Vaiko amžius", "Child's age"),
    "any_age": ("Любой", "Bet koks", "Any"),
    "payable_only": (
        "Можно оплатить сертификатом",
        "Galima apmokėti čekiu",
        "Payable by certificate",
    ),
    "free_seats_only": ("Есть свободные места", "Yra laisvų vietų", "Has free seats"),
    "price_max": ("Цена занятия до", "Užsiėmimo kaina iki", "Price per lesson up to"),
    "apply_price": ("Применить", "Taikyti", "Apply"),
    "sort_by": ("Сортировка", "Rikiuoti", "Sort by"),
    "sort_relevance": ("По релевантности", "Pagal atitikimą", "Relevance"),
    "sort_price": ("Сначала дешевле", "Pigiausios pirmiau", "Price, lowest first"),
    "sort_distance": ("Ближе ко мне", "Arčiausiai manęs", "Nearest"),
    "sort_start": ("Скоро начало", "Greičiausiai prasideda", "Starting soonest"),
    "near_me": ("Моё местоположение", "Mano vieta", "My location"),
    "near_city": ("Или рядом с городом", "Arba prie miesto", "Or near a city"),
    "location_denied": (
        "Браузер не сообщил местоположение: выберите город.",
        "Naršyklė nepateikė vietos: pasirinkite miestą.",
        "The browser did not share a location: choose a city.",
    ),
    "reset_filters": ("Сбросить фильтры", "Išvalyti filtrus", "Clear filters"),
    "found": ("Найдено программ: {total}", "Rasta programų: {total}", "Programs found: {total}"),
    "page_of": (
        "Страница {page} из {pages}",
        "Puslapis {page} iš {pages}",
        "Page {page} of {pages}",
    ),
    "previous": ("← Назад", "← Atgal", "← Previous"),
    "next": ("Вперёд →", "Pirmyn →", "Next →"),
    "empty_title": ("Ничего не нашлось", "Nieko nerasta", "Nothing found"),
    "empty_hint": (
        "Попробуйте убрать часть фильтров или написать запрос иначе.",
        "Pabandykite atsisakyti dalies filtrų arba užrašyti užklausą kitaip.",
        "Try removing some filters or wording the search differently.",
    ),
    "degraded": (
        "Поиск работает в упрощённом режиме: результаты могут быть неполными.",
        "Paieška veikia supaprastintu režimu: rezultatai gali būti neišsamūs.",
        "Search is running in a reduced mode: results may be incomplete.",
    ),
    "badge_certificate": ("Оплата сертификатом", "Apmokama čekiu", "Payable by certificate"),
    "badge_free": ("Бесплатно", "Nemokamai", "Free"),
    "ages": ("{min}–{max} лет", "{min}–{max} m.", "ages {min}–{max}"),
    "price_from": ("от {price} за занятие", "nuo {price} už užsiėmimą", "from {price} a lesson"),
    "no_open_groups": ("Нет открытых групп", "Nėra atvirų grupių", "No open groups"),
    "free_seats": ("Свободных мест: {count}", "Laisvų vietų: {count}", "Free seats: {count}"),
    "distance_km": ("{km} км", "{km} km", "{km} km"),
    # ---- program page
    "provider": ("Организация", "Organizacija", "Provider"),
    "address": ("Адрес", "Adresas", "Address"),
    "on_map": ("Показать на карте", "Rodyti žemėlapyje", "Show on a map"),
    "groups": ("Группы", "Grupės", "Groups"),
    "timetable": ("Расписание", "Tvarkaraštis", "Timetable"),
    "dates": ("Даты", "Datos", "Dates"),
    "seats_left": ("Мест осталось", "Liko vietų", "Seats left"),
    "price_per_lesson": ("Цена занятия", "Užsiėmimo kaina", "Price per lesson"),
    "program_not_found": (
        "Программа не найдена или снята с публикации.",
        "Programa nerasta arba nebeskelbiama.",
        "The program was not found or is no longer published.",
    ),
    "sign_in_to_apply": (
        "Войдите, чтобы увидеть, сколько покроет сертификат, и подать заявку.",
        "Prisijunkite, kad pamatytumėte, kiek padengs čekis, ir pateiktumėte paraišką.",
        "Sign in to see what the certificate covers and to apply.",
    ),
    "choose_child": ("Ребёнок", "Vaikas", "Child"),
    "choose_group": ("Группа", "Grupė", "Group"),
    "add_child_first": (
        "Сначала добавьте ребёнка в личном кабинете.",
        "Pirmiausia paskyroje pridėkite vaiką.",
        "Add a child in your account first.",
    ),
    "breakdown": ("Расчёт", "Skaičiavimas", "Breakdown"),
    "lessons": ("Занятий", "Užsiėmimų", "Lessons"),
    "contract_total": ("Стоимость", "Kaina", "Total price"),
    "certificate_share": ("Оплатит сертификат", "Apmokės čekis", "The certificate pays"),
    "co_payment": ("Ваша доплата", "Jūsų priemoka", "You pay"),
    "offer_terms": (
        "Я принимаю условия договора-оферты поставщика",
        "Sutinku su teikėjo sutarties-pasiūlymo sąlygomis",
        "I accept the provider's offer terms",
    ),
    "apply": ("Подать заявку", "Pateikti paraišką", "Apply"),
    "applied": (
        "Заявка отправлена. Статус — в личном кабинете.",
        "Paraiška išsiųsta. Būseną rasite paskyroje.",
        "Application sent. Follow it in your account.",
    ),
    # ---- accounts
    "email": ("Электронная почта", "El. paštas", "E-mail"),
    "password": ("Пароль", "Slaptažodis", "Password"),
    "password_again": ("Пароль ещё раз", "Pakartokite slaptažodį", "Password again"),
    "password_rules": (
        "Не короче 10 символов, не только буквы и не только цифры.",
        "Ne trumpesnis nei 10 simbolių, ne vien raidės ir ne vien skaičiai.",
        "At least 10 characters, not only letters and not only digits.",
    ),
    "sign_in_title": ("Вход", "Prisijungimas", "Sign in"),
    "register_title": ("Регистрация родителя", "Tėvų registracija", "Parent registration"),
    "create_account": ("Зарегистрироваться", "Registruotis", "Create account"),
    "forgot_password": ("Забыли пароль?", "Pamiršote slaptažodį?", "Forgot your password?"),
    "forgot_title": ("Восстановление пароля", "Slaptažodžio atkūrimas", "Reset your password"),
    "send_link": ("Отправить ссылку", "Siųsti nuorodą", "Send the link"),
    "link_sent": (
        "Если такой адрес зарегистрирован, мы отправили на него ссылку. Она действует 1 час.",
        "Jei toks adresas registruotas, išsiuntėme į jį nuorodą. Ji galioja 1 valandą.",
        "If this address has an account, we have sent it a link. It works for 1 hour.",
    ),
    "new_password_title": ("Новый пароль", "Naujas slaptažodis", "New password"),
    "save_password": ("Сохранить пароль", "Išsaugoti slaptažodį", "Save password"),
    "password_changed": (
        "Пароль изменён. Войдите с новым паролем.",
        "Slaptažodis pakeistas. Prisijunkite su nauju.",
        "Password changed. Sign in with the new one.",
    ),
    "have_account": (
        "Уже есть аккаунт? Войти",
        "Jau turite paskyrą? Prisijunkite",
        "Have an account? Sign in",
    ),
    "no_account": (
        "Нет аккаунта? Регистрация",
        "Neturite paskyros? Registruokitės",
        "No account? Register",
    ),
    # ---- cabinet
    "cabinet_title": ("Личный кабинет", "Paskyra", "My account"),
    "children": ("Дети", "Vaikai", "Children"),
    "add_child": ("Добавить ребёнка", "Pridėti vaiką", "Add a child"),
    "edit": ("Изменить", "Keisti", "Edit"),
    "save": ("Сохранить", "Išsaugoti", "Save"),
    "cancel": ("Отмена", "Atšaukti", "Cancel"),
    "first_name": ("Имя", "Vardas", "First name"),
    "last_name": ("Фамилия", "Pavardė", "Last name"),
    "birth_date": ("Дата рождения", "Gimimo data", "Date of birth"),
    "municipality": ("Муниципалитет", "Savivaldybė", "Municipality"),
    "no_children": (
        "Добавьте ребёнка, чтобы получить сертификат и записаться.",
        "Pridėkite vaiką, kad gautumėte čekį ir užsirašytumėte.",
        "Add a child to get a certificate and enroll.",
    ),
    "request_certificate": ("Получить сертификат", "Gauti čekį", "Get a certificate"),
    "certificate": ("Сертификат", "Čekis", "Certificate"),
    "certificate_number": ("Номер", "Numeris", "Number"),
    "status": ("Статус", "Būsena", "Status"),
    "valid_until": ("Действует до", "Galioja iki", "Valid until"),
    "available": ("Доступно", "Galima naudoti", "Available"),
    "held": ("Зарезервировано", "Rezervuota", "Held"),
    "spent": ("Потрачено", "Išleista", "Spent"),
    "expires_on": (
        "Неизрасходованный номинал сгорает {date}",
        "Nepanaudota suma nebegalios nuo {date}",
        "The unspent amount expires on {date}",
    ),
    "no_funding": (
        "Сертификат ещё не пополнен: откроется период финансирования — появится номинал.",
        "Čekis dar nepapildytas: atsidarius finansavimo laikotarpiui atsiras suma.",
        "Not funded yet: the amount appears when a funding period opens.",
    ),
    "history": ("История операций", "Operacijų istorija", "History"),
    "show_history": ("Показать историю", "Rodyti istoriją", "Show history"),
    "hide": ("Скрыть", "Slėpti", "Hide"),
    "no_history": ("Операций пока нет.", "Operacijų dar nėra.", "No entries yet."),
    "date": ("Дата", "Data", "Date"),
    "operation": ("Операция", "Operacija", "Entry"),
    "program": ("Программа", "Programa", "Program"),
    "amount": ("Сумма", "Suma", "Amount"),
    "enrollments": ("Записи", "Užsiėmimai", "Enrollments"),
    "no_enrollments": (
        "Записей пока нет. Найдите программу в каталоге.",
        "Dar nesate užsirašę. Raskite programą kataloge.",
        "No enrollments yet. Find a program in the catalog.",
    ),
    "group": ("Группа", "Grupė", "Group"),
    "attendance": ("Посещения", "Lankomumas", "Attendance"),
    "attended_of": (
        "Посещено {present} из {marked}",
        "Lankyta {present} iš {marked}",
        "Attended {present} of {marked}",
    ),
    "cancel_enrollment": ("Отменить запись", "Atšaukti", "Cancel enrollment"),
    "cancel_confirm_title": ("Отменить запись?", "Atšaukti užsiėmimą?", "Cancel this enrollment?"),
    "cancel_confirm_release": (
        "На сертификат вернётся {amount}.",
        "Į čekį grįš {amount}.",
        "{amount} will return to the certificate.",
    ),
    "cancel_confirm_nothing": (
        "Деньги по этой записи не резервировались.",
        "Pinigai šiam užsiėmimui nebuvo rezervuoti.",
        "No money was held for this enrollment.",
    ),
    "confirm_cancel": ("Да, отменить", "Taip, atšaukti", "Yes, cancel"),
    "keep": ("Нет, оставить", "Ne, palikti", "No, keep it"),
    "done": ("Готово.", "Atlikta.", "Done."),
    "rejection_reason": ("Причина отказа", "Atmetimo priežastis", "Reason"),
    # ---- provider cabinet
    "nav_provider": ("Кабинет организации", "Organizacijos paskyra", "Provider account"),
    "provider_register_title": (
        "Регистрация организации",
        "Organizacijos registracija",
        "Register an organisation",
    ),
    "provider_register_link": (
        "Вы организация? Зарегистрируйтесь как поставщик",
        "Esate organizacija? Registruokitės kaip teikėjas",
        "An organisation? Register as a provider",
    ),
    "organisation": ("Название организации", "Organizacijos pavadinimas", "Organisation name"),
    "provider_kind": ("Тип организации", "Organizacijos tipas", "Kind of organisation"),
    "licence_number": ("Номер лицензии", "Licencijos numeris", "Licence number"),
    "pending_admission": (
        "Организация ждёт допуска от муниципалитета. Программы можно готовить уже сейчас; "
        "в каталоге они появятся после допуска и сертификации.",
        "Organizacija laukia savivaldybės leidimo. Programas galima ruošti jau dabar; "
        "kataloge jos atsiras po leidimo ir sertifikavimo.",
        "The organisation is waiting for the municipality's admission. You can prepare programs "
        "now; they appear in the catalog once admitted and certified.",
    ),
    "not_provider": (
        "Этот аккаунт не связан с организацией.",
        "Ši paskyra nesusieta su organizacija.",
        "This account does not belong to an organisation.",
    ),
    "programs": ("Программы", "Programos", "Programs"),
    "new_program": ("Новая программа", "Nauja programa", "New program"),
    "title": ("Название", "Pavadinimas", "Title"),
    "description": ("Описание", "Aprašymas", "Description"),
    "direction": ("Направленность", "Kryptis", "Direction"),
    "age_min": ("Возраст от", "Amžius nuo", "Age from"),
    "age_max": ("Возраст до", "Amžius iki", "Age to"),
    "format": ("Формат", "Forma", "Format"),
    "teaching_language": ("Язык обучения", "Mokymo kalba", "Language of teaching"),
    "latitude": ("Широта", "Platuma", "Latitude"),
    "longitude": ("Долгота", "Ilguma", "Longitude"),
    "is_free_program": ("Бесплатная программа", "Nemokama programa", "Free program"),
    "create": ("Создать", "Sukurti", "Create"),
    "submit_for_certification": (
        "Отправить на сертификацию",
        "Pateikti sertifikuoti",
        "Submit for certification",
    ),
    "certification": ("Сертификация", "Sertifikavimas", "Certification"),
    "new_group": ("Новая группа", "Nauja grupė", "New group"),
    "group_name": ("Название группы", "Grupės pavadinimas", "Group name"),
    "weekdays": ("Дни занятий", "Užsiėmimų dienos", "Lesson days"),
    "time_from": ("Начало", "Pradžia", "Starts at"),
    "time_to": ("Конец", "Pabaiga", "Ends at"),
    "starts_on": ("Первый день", "Pirma diena", "First day"),
    "ends_on": ("Последний день", "Paskutinė diena", "Last day"),
    "seats": ("Мест", "Vietų", "Seats"),
    "teacher": ("Педагог", "Mokytojas", "Teacher"),
    "open_enrollment": ("Открыть запись", "Atidaryti registraciją", "Open enrollment"),
    "close_enrollment": ("Закрыть запись", "Uždaryti registraciją", "Close enrollment"),
    "register_link": ("Журнал посещаемости", "Lankomumo žurnalas", "Attendance register"),
    "applications": ("Заявки и записи", "Paraiškos ir užsiėmimai", "Applications and enrollments"),
    "no_applications": ("Заявок пока нет.", "Paraiškų dar nėra.", "No applications yet."),
    "accept": ("Принять", "Priimti", "Accept"),
    "reject": ("Отклонить", "Atmesti", "Reject"),
    "reason": (
        "Причина (её увидит родитель)",
        "Priežastis (ją matys tėvai)",
        "Reason (the parent sees it)",
    ),
    "lesson_date": ("Дата занятия", "Užsiėmimo data", "Lesson date"),
    "mark_lesson": ("Отметить занятие", "Pažymėti užsiėmimą", "Mark a lesson"),
    "save_marks": ("Сохранить отметки", "Išsaugoti žymes", "Save the marks"),
    "no_lessons_yet": (
        "Занятий, которые можно отметить, пока нет.",
        "Dar nėra užsiėmimų, kuriuos galima pažymėti.",
        "No lessons to mark yet.",
    ),
    "no_children_seated": (
        "В группе пока нет зачисленных детей.",
        "Grupėje dar nėra priimtų vaikų.",
        "No children are seated in this group yet.",
    ),
    "child": ("Ребёнок", "Vaikas", "Child"),
    "back_to_program": ("← К программе", "← Į programą", "← Back to the program"),
    "back_to_cabinet": ("← В кабинет", "← Į paskyrą", "← Back to the account"),
    **{
        f"weekday_{n}": names
        for n, names in enumerate(
            zip(*(WEEKDAY_NAMES[lang] for lang in SUPPORTED_LOCALES), strict=True), start=1
        )
    },
    "statement": ("Отчёт за месяц", "Mėnesio ataskaita", "Monthly statement"),
    "month": ("Месяц", "Mėnuo", "Month"),
    "show": ("Показать", "Rodyti", "Show"),
    "download_csv": ("Скачать CSV", "Atsisiųsti CSV", "Download CSV"),
    "api_keys": ("API-ключи", "API raktai", "API keys"),
    "api_keys_hint": (
        "Для вашей электронной системы учёта: программы, заявки и посещаемость через "
        "/api/v1/provider (описание — /api/v1/provider/openapi.json).",
        "Jūsų elektroninei apskaitos sistemai: programos, paraiškos ir lankomumas per "
        "/api/v1/provider (aprašas — /api/v1/provider/openapi.json).",
        "For your own e-journal system: programs, applications and attendance through "
        "/api/v1/provider (described at /api/v1/provider/openapi.json).",
    ),
    "key_name": ("Название ключа", "Rakto pavadinimas", "Key name"),
    "key_prefix": ("Начало ключа", "Rakto pradžia", "Key starts with"),
    "key_last_used": ("Последнее использование", "Paskutinį kartą naudotas", "Last used"),
    "key_revoked": ("Отозван", "Atšauktas", "Revoked"),
    "revoke": ("Отозвать", "Atšaukti", "Revoke"),
    "create_key": ("Создать ключ", "Sukurti raktą", "Create a key"),
    "key_shown_once": (
        "Скопируйте ключ сейчас: больше он показан не будет.",
        "Nukopijuokite raktą dabar: daugiau jis nebus parodytas.",
        "Copy the key now: it will not be shown again.",
    ),
    "import_title": (
        "Загрузка программ из CSV",
        "Programų įkėlimas iš CSV",
        "Import programs from CSV",
    ),
    "import_hint": (
        "Формат описан в README: строка заголовков, UTF-8; "
        "повторная загрузка обновляет по external_id.",
        "Formatas aprašytas README: antraštės eilutė, UTF-8; "
        "pakartotinis įkėlimas atnaujina pagal external_id.",
        "The format is in the README: a header row, UTF-8; importing again updates by external_id.",
    ),
    "import_drop": (
        "Перетащите CSV-файл сюда или нажмите, чтобы выбрать",
        "Nutempkite CSV failą čia arba spustelėkite ir pasirinkite",
        "Drop a CSV file here or click to choose one",
    ),
    "import": ("Загрузить", "Įkelti", "Import"),
    "import_done": (
        "Создано: {created}, обновлено: {updated}, строк с ошибками: {failed}.",
        "Sukurta: {created}, atnaujinta: {updated}, eilučių su klaidomis: {failed}.",
        "Created: {created}, updated: {updated}, rows with errors: {failed}.",
    ),
    "import_line": ("Строка", "Eilutė", "Line"),
    "import_problem": ("Ошибка", "Klaida", "Problem"),
    "offline_title": ("Запись на месте", "Registracija vietoje", "Enrollment at the desk"),
    "offline_hint": (
        "Номер сертификата и дата рождения находят ребёнка. Родитель подтвердит запись в своём "
        "кабинете; до этого деньги не резервируются.",
        "Čekio numeris ir gimimo data suranda vaiką. Tėvai patvirtins registraciją savo paskyroje; "
        "iki tol pinigai nerezervuojami.",
        "The certificate number and the date of birth find the child. The parent confirms in their "
        "account; until then no money is held.",
    ),
    "send_offer": ("Отправить родителю", "Siųsti tėvams", "Send to the parent"),
    "offer_sent": (
        "Отправлено. Запись появится, когда родитель подтвердит её в кабинете.",
        "Išsiųsta. Registracija atsiras, kai tėvai ją patvirtins paskyroje.",
        "Sent. The enrollment appears once the parent confirms it in their account.",
    ),
    "offers": ("Предложения записи", "Registracijos pasiūlymai", "Enrollment offers"),
    "confirm_offer": ("Подтвердить запись", "Patvirtinti", "Confirm the enrollment"),
    "decline_offer": ("Отказаться", "Atsisakyti", "Decline"),
    "marked": ("Отмечено: {count}", "Pažymėta: {count}", "Marked: {count}"),
    "correction_saved": (
        "Отметка исправлена; исправление записано в журнал.",
        "Žyma pataisyta; pataisymas įrašytas į žurnalą.",
        "The mark is corrected and the correction is logged.",
    ),
    "description_hint": (
        "Пустая строка начинает новый абзац; строки, начинающиеся с «- », становятся списком.",
        "Tuščia eilutė pradeda naują pastraipą; eilutės, prasidedančios „- “, tampa sąrašu.",
        'A blank line starts a new paragraph; lines that begin with "- " become a list.',
    ),
    "photo": ("Фотография", "Nuotrauka", "Photo"),
    "photo_hint": (
        "JPEG, PNG или WebP до 5 МБ, не меньше 200 пикселей по стороне. Данные камеры и"
        " геометки удаляются.",
        "JPEG, PNG arba WebP iki 5 MB, ne mažiau kaip 200 taškų kiekvienoje pusėje. Fotoaparato"
        " duomenys ir vietos žymos pašalinamos.",
        "JPEG, PNG or WebP up to 5 MB, at least 200 pixels a side. Camera data and location"
        " tags are removed.",
    ),
    "photo_drop": (
        "Перетащите фотографию сюда или нажмите, чтобы выбрать",
        "Nutempkite nuotrauką čia arba spustelėkite, kad pasirinktumėte",
        "Drop a photo here or click to choose one",
    ),
    "upload_photo": ("Загрузить фото", "Įkelti nuotrauką", "Upload the photo"),
    "remove_photo": ("Убрать фото", "Pašalinti nuotrauką", "Remove the photo"),
    "invite_title": ("Приглашение в организацию", "Kvietimas į organizaciją", "An invitation"),
    "invite_from": ("Вас пригласили в", "Esate kviečiami į", "You are invited to"),
    "invite_existing_account": (
        "У этого адреса уже есть учётная запись: введите её пароль.",
        "Šis adresas jau turi paskyrą: įveskite jos slaptažodį.",
        "This address already has an account: enter its password.",
    ),
    "accept_invitation": ("Принять приглашение", "Priimti kvietimą", "Accept the invitation"),
    "staff_title": ("Сотрудники", "Darbuotojai", "Staff"),
    "invite_staff": ("Пригласить", "Pakviesti", "Invite"),
    "role": ("Роль", "Vaidmuo", "Role"),
    "invitation_pending": ("приглашение отправлено", "kvietimas išsiųstas", "invitation sent"),
    "role_staff": ("сотрудник", "darbuotojas", "staff"),
    "role_owner": ("владелец", "savininkas", "owner"),
    "remove_staff": ("Убрать", "Pašalinti", "Remove"),
    "revoke_invitation": ("Отозвать", "Atšaukti", "Withdraw"),
    "invitation_sent": (
        "Приглашение отправлено на {email}.",
        "Kvietimas išsiųstas adresu {email}.",
        "The invitation is sent to {email}.",
    ),
    "listing": ("Состояние", "Būsena", "State"),
    "pause_program": ("Приостановить набор", "Sustabdyti", "Pause"),
    "resume_program": ("Вернуть в каталог", "Grąžinti į katalogą", "Back in the catalog"),
    "archive_program": ("В архив", "Į archyvą", "Archive"),
    "restore_program": ("Вернуть из архива", "Grąžinti iš archyvo", "Restore from the archive"),
    "correct_mark": ("Исправить отметку", "Pataisyti žymą", "Correct a mark"),
    "correct_mark_hint": (
        "Исправлять можно занятия последних дней по правилам муниципалитета. Если снять"
        " присутствие, списанная сумма вернётся на сертификат.",
        "Taisyti galima tik pastarųjų dienų užsiėmimus pagal savivaldybės taisykles. Panaikinus"
        " dalyvavimą, nurašyta suma grąžinama į čekį.",
        "Marks of recent lessons can be corrected under the municipality's rules. Removing a"
        " presence returns its charge to the certificate.",
    ),
    "no_correctable_lessons": (
        "Нет занятий, отметки которых ещё можно исправить.",
        "Nėra užsiėmimų, kurių žymas dar galima taisyti.",
        "No lessons whose marks can still be corrected.",
    ),
    "new_mark": ("Новая отметка", "Nauja žyma", "New mark"),
    "correction_reason": ("Причина исправления", "Taisymo priežastis", "Reason for the correction"),
    "save_correction": ("Исправить", "Pataisyti", "Correct"),
    "corrections_log": ("Журнал исправлений", "Pataisymų žurnalas", "Corrections log"),
    "change": ("Изменение", "Pakeitimas", "Change"),
    "corrected_by": ("Кто и когда", "Kas ir kada", "By whom and when"),
    # ---- municipality cabinet
    "nav_municipality": ("Муниципалитет", "Savivaldybė", "Municipality"),
    "municipality_cabinet": (
        "Кабинет муниципалитета",
        "Savivaldybės paskyra",
        "Municipality cabinet",
    ),
    "not_an_admin": (
        "Эта страница для администраторов муниципалитета.",
        "Šis puslapis skirtas savivaldybės administratoriams.",
        "This page is for municipality administrators.",
    ),
    "funding_periods": ("Периоды финансирования", "Finansavimo laikotarpiai", "Funding periods"),
    "budget_hint": (
        "Бюджет ограничивает зарезервированное (удержания) и потраченное (списания);"
        " новое зачисление сверх остатка будет отклонено.",
        "Biudžetas riboja tai, kas rezervuota ir išleista; naujas įrašymas, viršijantis likutį,"
        " bus atmestas.",
        "The budget bounds what is committed (holds) and spent (debits);"
        " a new enrollment beyond what remains is refused.",
    ),
    "period": ("Период", "Laikotarpis", "Period"),
    "budget": ("Бюджет", "Biudžetas", "Budget"),
    "committed": ("зарезервировано", "rezervuota", "committed"),
    "certificates": ("Сертификаты", "Sertifikatai", "Certificates"),
    "budget_use": ("Использование бюджета", "Biudžeto panaudojimas", "Budget use"),
    "new_period": ("Новый период", "Naujas laikotarpis", "New period"),
    "open_period": ("Открыть период", "Atidaryti laikotarpį", "Open the period"),
    "close_period": ("Закрыть период…", "Uždaryti laikotarpį…", "Close the period…"),
    "close_period_confirm": (
        "Закрыть и списать остатки",
        "Uždaryti ir panaikinti likučius",
        "Close and expire the balances",
    ),
    "closing_preview": (
        "Закрытие затронет счетов: {accounts}. Будет снято резервов: {released};"
        " сгорит неиспользованных средств: {expired}. Это нельзя отменить.",
        "Uždarymas palies sąskaitų: {accounts}. Bus atšaukta rezervų: {released};"
        " nebegalios nepanaudotų lėšų: {expired}. To atšaukti negalima.",
        "Closing touches {accounts} accounts. Holds released: {released};"
        " unspent balances expired: {expired}. This cannot be undone.",
    ),
    "nominal_values": ("Номиналы", "Nominalios vertės", "Nominal values"),
    "nominal_hint": (
        "Таблица для категории с даты: возрастные диапазоны без пересечений и пропусков."
        " Она действует для сертификатов, профинансированных с этой даты;"
        " уже начисленные средства не меняются.",
        "Kategorijos lentelė nuo datos: amžiaus intervalai be persidengimų ir tarpų."
        " Ji taikoma sertifikatams, finansuotiems nuo šios datos; jau priskirtos lėšos nesikeičia.",
        "A table for a category from a date: age ranges with no overlaps or gaps."
        " It applies to certificates funded from that date; money already credited never changes.",
    ),
    "nominal": ("Номинал", "Nominali vertė", "Nominal value"),
    "category": ("Категория", "Kategorija", "Category"),
    "effective_from": ("Действует с", "Galioja nuo", "Effective from"),
    "age_from": ("Возраст от", "Amžius nuo", "Age from"),
    "age_to": ("Возраст до", "Amžius iki", "Age to"),
    "save_nominal": (
        "Сохранить номиналы",
        "Išsaugoti nominalias vertes",
        "Save the nominal values",
    ),
    "policy": ("Правила", "Taisyklės", "Policy"),
    "prorate_late_start": (
        "Пропорционально уменьшать номинал при позднем начале",
        "Proporcingai mažinti nominalą vėlyvai pradžiai",
        "Prorate the nominal for a late start",
    ),
    "admission_queue": ("Допуск поставщиков", "Teikėjų priėmimas", "Provider admissions"),
    "registered": ("Зарегистрирован", "Užsiregistravo", "Registered"),
    "refused_reason": ("Отказано", "Atsisakyta", "Refused"),
    "admit": ("Допустить", "Priimti", "Admit"),
    "refuse_admission": ("Отказать", "Atsisakyti", "Refuse"),
    "certification_queue": (
        "Сертификация программ",
        "Programų sertifikavimas",
        "Program certification",
    ),
    "queue_empty": ("Очередь пуста.", "Eilė tuščia.", "The queue is empty."),
    "changes_since": (
        "Изменения с последней сертификации",
        "Pakeitimai nuo paskutinio sertifikavimo",
        "Changes since the last certification on",
    ),
    "first_certification": (
        "Первая сертификация: показаны все поля.",
        "Pirmasis sertifikavimas: rodomi visi laukai.",
        "First certification: every field is shown.",
    ),
    "changes": ("Изменения", "Pakeitimai", "Changes"),
    "field": ("Поле", "Laukas", "Field"),
    "before": ("Было", "Buvo", "Before"),
    "after": ("Стало", "Tapo", "After"),
    "certify": ("Сертифицировать", "Sertifikuoti", "Certify"),
    "certified_programs": (
        "Сертифицированные программы",
        "Sertifikuotos programos",
        "Certified programs",
    ),
    "suspend": ("Приостановить", "Sustabdyti", "Suspend"),
    "reinstate": ("Возобновить", "Atnaujinti", "Reinstate"),
    "action": ("Действие", "Veiksmas", "Action"),
    "reports": ("Отчёты", "Ataskaitos", "Reports"),
    "report_spending": (
        "Расходы и резервы по месяцам",
        "Išlaidos ir rezervai pagal mėnesius",
        "Spending and holds by month",
    ),
    "report_enrollments": (
        "Зачисления по направлениям и возрасту",
        "Įrašymai pagal kryptį ir amžių",
        "Enrollments by direction and age",
    ),
    "report_take_up": ("Охват сертификатами", "Sertifikatų panaudojimas", "Certificate take-up"),
    "report_not_enrolled": (
        "Не записаны никуда (по районам)",
        "Niekur neįrašyti (pagal rajonus)",
        "Not enrolled anywhere (by district)",
    ),
    "report_providers": ("Крупнейшие поставщики", "Didžiausi teikėjai", "Top providers"),
    "report_truncated": (
        "На странице показаны первые 200 строк; выгрузка содержит все.",
        "Puslapyje rodomos pirmosios 200 eilučių; atsisiuntime yra visos.",
        "The page shows the first 200 rows; the download has them all.",
    ),
    "download_xlsx": ("Скачать XLSX", "Atsisiųsti XLSX", "Download XLSX"),
    "district": ("Район проживания", "Gyvenamasis rajonas", "District you live in"),
    "district_unknown": ("район не указан", "rajonas nenurodytas", "district not given"),
    "col_month": ("Месяц", "Mėnuo", "Month"),
    "col_direction": ("Направленность", "Kryptis", "Direction"),
    "col_held": ("Зарезервировано", "Rezervuota", "Held"),
    "col_captured": ("Списано", "Nurašyta", "Debited"),
    "col_released": ("Снято резервов", "Atšaukta rezervų", "Released"),
    "col_refunded": ("Возвращено", "Grąžinta", "Refunded"),
    "col_spent": ("Потрачено", "Išleista", "Spent"),
    "col_committed": ("Зарезервировано сейчас", "Šiuo metu rezervuota", "Committed now"),
    "col_credited": ("Начислено", "Priskirta", "Credited"),
    "col_remaining": ("Остаток бюджета", "Biudžeto likutis", "Budget left"),
    "col_age": ("Возраст", "Amžius", "Age"),
    "col_enrollments": ("Зачислений", "Įrašymų", "Enrollments"),
    "col_funded": ("Из них по сертификату", "Iš jų sertifikatu", "Of them by certificate"),
    "col_category": ("Категория", "Kategorija", "Category"),
    "col_children": ("Детей", "Vaikų", "Children"),
    "col_with_certificate": ("С сертификатом", "Su sertifikatu", "With a certificate"),
    "col_with_funded_account": ("С финансированием", "Su finansavimu", "With funding"),
    "col_with_enrollment": ("Записаны", "Įrašyti", "Enrolled"),
    "col_district": ("Район", "Rajonas", "District"),
    "col_not_enrolled": ("Не записаны", "Neįrašyti", "Not enrolled"),
    "col_not_enrolled_funded": (
        "Не записаны, с финансированием",
        "Neįrašyti, su finansavimu",
        "Not enrolled, with funding",
    ),
    "col_provider": ("Поставщик", "Teikėjas", "Provider"),
    "col_funded_enrollments": (
        "Зачислений по сертификату",
        "Įrašymų sertifikatu",
        "Funded enrollments",
    ),
    "audit_log": ("Журнал решений", "Sprendimų žurnalas", "Decision log"),
    "when": ("Когда", "Kada", "When"),
    "who": ("Кто", "Kas", "Who"),
    "subject": ("Объект", "Objektas", "Subject"),
    "yes": ("да", "taip", "yes"),
    "age_range": ("Возраст", "Amžius", "Ages"),
    "decision_reason": ("Причина", "Priežastis", "Reason"),
    "max_funded_certificates": (
        "Лимит сертификатов финансирования",
        "Finansuojamų sertifikatų riba",
        "Cap on funded certificates",
    ),
    "max_funded_enrollments": (
        "Оплачиваемых программ у ребёнка одновременно",
        "Vienu metu apmokamų vaiko programų",
        "Funded programs per child at once",
    ),
    "absence_charge": ("Оплата пропуска", "Mokestis už praleidimą", "What an absence costs"),
    "attendance_correction_days": (
        "Срок исправления посещаемости, дней",
        "Lankomumo taisymo terminas, dienomis",
        "Attendance correction window, days",
    ),
    "no": ("нет", "ne", "no"),
    "audit_admin_added": (
        "назначен администратор",
        "paskirtas administratorius",
        "administrator added",
    ),
    "audit_provider_admitted": ("поставщик допущен", "teikėjas priimtas", "provider admitted"),
    "audit_provider_refused": ("поставщику отказано", "teikėjui atsisakyta", "provider refused"),
    "audit_program_submitted": ("программа подана", "programa pateikta", "program submitted"),
    "audit_program_certified": (
        "программа сертифицирована",
        "programa sertifikuota",
        "program certified",
    ),
    "audit_program_rejected": ("программа отклонена", "programa atmesta", "program rejected"),
    "audit_program_suspended": (
        "программа приостановлена",
        "programa sustabdyta",
        "program suspended",
    ),
    "audit_period_created": ("период создан", "laikotarpis sukurtas", "period created"),
    "audit_period_opened": ("период открыт", "laikotarpis atidarytas", "period opened"),
    "audit_period_updated": ("период изменён", "laikotarpis pakeistas", "period changed"),
    "audit_period_closed": ("период закрыт", "laikotarpis uždarytas", "period closed"),
    "audit_nominal_set": ("номиналы заданы", "nustatytos nominalios vertės", "nominal values set"),
    "audit_policy_updated": ("правила изменены", "taisyklės pakeistos", "policy changed"),
}


@cache
def ui_strings(locale: str) -> dict[str, str]:
    """Every page string in one language (English for an unknown locale)."""
    column = SUPPORTED_LOCALES.index(locale) if locale in SUPPORTED_LOCALES else 2
    return {key: words[column] for key, words in _UI.items()}


def text(key: str, locale: str, **values: object) -> str:
    words = ui_strings(locale)[key]
    return words.format(**values) if values else words
