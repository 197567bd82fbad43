name-brand = Silkbridge
site-tagline = Исследования, открытые данные и сервисы Узбекистана и Азербайджана
skip-to-content = Перейти к содержанию
nav-main = Основное
nav-home = Главная
nav-search = Поиск
nav-api = Разработчикам
language-switch = Язык
sign-in = Войти
sign-in-country = Войти ({ $country })
country-UZ = Узбекистан
country-AZ = Азербайджан
search-label = Поиск публикаций, наборов данных и организаций
search-button = Найти
search-title = Поиск
search-results = Результаты
search-count = { $count ->
    [one] { $shown } результат
    [few] { $shown } результата
    [many] { $shown } результатов
   *[other] { $shown } результата
}
search-empty = Ничего не найдено. Слова можно писать латиницей или кириллицей: ищется и то и другое.
search-filters = Фильтры
search-clear = Сбросить фильтры
search-sort = Порядок
sort-relevance = Сначала подходящие
sort-newest = Сначала новые
search-next = Следующие результаты
facet-kind = Вид
facet-country = Страна
facet-language = Язык
facet-organisation = Организация
facet-year = Год
facet-licence = Лицензия
facet-tag = Тег
kind-publication = Публикация
kind-dataset = Набор данных
kind-organisation = Организация
kind-listing = Услуга
kind-document = Документ
kind-programme = Программа
lang-uz-Latn = Узбекский (латиница)
lang-uz-Cyrl = Узбекский (кириллица)
lang-az = Азербайджанский
lang-ru = Русский
lang-en = Английский
home-title = Исследования и открытые данные двух стран
home-latest-publications = Новые публикации
home-latest-datasets = Новые наборы данных
home-counts = Что здесь есть
home-machines = Для программ
machines-rest = REST API и его документация
name-graphql = GraphQL
machines-oai = OAI-PMH для сборщиков репозиториев
name-ckan-api = CKAN Action API
machines-dcat = Каталог DCAT-AP
publication-authors = Авторы
publication-organisation = Организация
publication-issued = Дата выхода
publication-type = Тип
name-doi = DOI
publication-licence = Лицензия
publication-keywords = Ключевые слова
publication-files = Файлы
publication-no-files = Файлы не приложены.
publication-cite = Цитирование
publication-cite-formats = Скачать ссылку
publication-versions = { $count ->
    [one] { $shown } версия
    [few] { $shown } версии
    [many] { $shown } версий
   *[other] { $shown } версии
}
publication-embargo = Под эмбарго до { $date }: полный текст откроется тогда.
pubtype-article = Статья в журнале
pubtype-conference_paper = Доклад на конференции
pubtype-report = Отчёт
pubtype-thesis = Диссертация
pubtype-book = Книга
pubtype-book_chapter = Глава книги
pubtype-dataset_paper = Статья о данных
pubtype-preprint = Препринт
file-name = Файл
file-format = Формат
file-size = Размер
name-sha256 = SHA-256
dataset-publisher = Издатель
dataset-licence = Лицензия
dataset-themes = Темы
dataset-tags = Теги
dataset-temporal = Период
dataset-resources = Ресурсы
dataset-no-resources = Ресурсов пока нет.
dataset-download = Скачать
dataset-machine = Этот набор для программ
resource-name = Название
resource-format = Формат
resource-size = Размер
org-country = Страна
org-kind = Вид
org-website = Сайт
org-publications = Публикации
org-datasets = Наборы данных
orgkind-agency = Государственное ведомство
orgkind-university = Университет
orgkind-operator = Оператор мобильной связи
orgkind-manufacturer = Производитель
orgkind-company = Компания
orgkind-startup = Стартап
orgkind-embassy = Посольство
orgkind-police = Полиция
error-not-found-title = Страница не найдена
error-not-found-text = Такой страницы нет, или она не открыта для всех.
error-too-many-title = Слишком много запросов
error-too-many-text = Подождите немного и попробуйте снова.
error-server-title = Что-то пошло не так
error-server-text = Ошибка на нашей стороне, она записана. Попробуйте позже.
error-home = На главную
footer-about = Совместная платформа ведомств, исследователей и партнёров Узбекистана и Азербайджана.
nav-imei = Проверить телефон
imei-title = Проверка телефона по IMEI
imei-intro = Прежде чем купить подержанный телефон, проверьте, не заявлен ли он украденным или потерянным в Узбекистане или Азербайджане.
imei-label = Номер IMEI
imei-hint = 15 цифр: наберите на телефоне *#06# или посмотрите под батареей или на коробке.
imei-button = Проверить
imei-invalid = Это не IMEI: нужно 15 цифр с верной контрольной цифрой.
imei-result-white = Не заявлен
imei-next-white = Заявлений о краже или потере этого телефона нет, его модель известна.
imei-result-grey = Не подтверждён
imei-next-grey = Модель телефона не зарегистрирована, или телефон на проверке. Попросите у продавца чек или обратитесь к своему мобильному оператору.
imei-result-black = Заявлен украденным или потерянным
imei-next-black = Не покупайте этот телефон. Если вы его нашли, передайте его в полицию или в посольство своей страны: его вернут владельцу.
nav-marketplace = Маркетплейс
market-title = Маркетплейс IT-хаба
market-intro = IT-услуги, продукты, стартапы, конкурсы соинвестирования и события двух стран.
market-empty = Под эти фильтры ничего не подходит.
market-category = Категория
market-countries = Страны
market-price = Цена
market-dates = Даты
market-contact = Контакты
market-enquire-sign-in = Войдите, чтобы отправить организации запрос.
market-price-free = Бесплатно
market-price-on-request = По запросу
market-kind-service = IT-услуга
market-kind-product = Продукт
market-kind-startup = Стартап
market-kind-investment_call = Конкурс соинвестирования
market-kind-event = Событие
publication-withdrawn = Эта публикация отозвана { $date }. Сведения о ней сохранены здесь, чтобы ссылки на неё по-прежнему открывались.
unit-b = { $value } Б
unit-kb = { $value } КБ
unit-mb = { $value } МБ
unit-gb = { $value } ГБ
error-forbidden-title = Доступ запрещён
error-forbidden-text = Эту форму можно отправить только с этого сайта, из того же сеанса браузера. Обновите страницу и попробуйте снова.
enquiry-sent = Ваш запрос отправлен организации.
enquiry-message = Ваше сообщение
enquiry-reply-to = Электронная почта для ответа (необязательно)
enquiry-send = Отправить запрос
enquiry-error-message = Напишите сообщение длиной до 5000 символов.
enquiry-error-reply-to = Укажите правильный адрес электронной почты или оставьте поле пустым.

## The signed-in workspace
nav-workspace = Рабочее место
sign-out = Выйти
sign-in-intro = Войдите через поставщика удостоверений вашей страны.
sign-in-already = Вы вошли в систему.
sign-in-unavailable = Вход на этом сервере не настроен.
demo-sign-in-title = Демонстрационные учётные записи
demo-sign-in-warning = Только для демонстрации: сервер запущен с демонстрационными данными, и эти учётные записи входят без поставщика удостоверений. Рабочий сервер их никогда не предлагает.
demo-sign-in-as = Войти как
role-member = Участник
role-editor = Редактор
role-admin = Администратор
role-platform-admin = администратор платформы
workspace-title = Рабочее место
workspace-signed-in-as = Вы вошли как
workspace-tasks = Ждёт вас
workspace-no-tasks = Ничего не ждёт вашего решения.
workspace-organisations = Ваши организации
workspace-no-organisations = Вы ещё не состоите ни в одной организации. Попросите её администратора прислать приглашение.
workspace-organisation = Организация
workspace-role = Роль
workspace-task-inbox = { $count ->
    [one] { $shown } документ ждёт вашу организацию
    [few] { $shown } документа ждут вашу организацию
    [many] { $shown } документов ждут вашу организацию
   *[other] { $shown } документа ждут вашу организацию
}
workspace-task-drafts = { $count ->
    [one] { $shown } черновик ещё не отправлен
    [few] { $shown } черновика ещё не отправлены
    [many] { $shown } черновиков ещё не отправлены
   *[other] { $shown } черновика ещё не отправлены
}
workspace-task-review = { $count ->
    [one] { $shown } объявление ждёт проверки
    [few] { $shown } объявления ждут проверки
    [many] { $shown } объявлений ждут проверки
   *[other] { $shown } объявления ждут проверки
}
compose-title = Новый документ
compose-intro = Сохраните документ как черновик, приложите файлы, затем отправьте.
compose-save = Сохранить черновик
documents-inbox = Входящие
documents-outbox = Отправленные и черновики
documents-mailboxes = Папки
documents-empty = Здесь нет документов.
documents-unread = ещё не получен
documents-waiting = ждёт вашего действия
document-subject = Тема
document-reference = Регистрационный номер
document-sender = Отправитель
document-recipients = Получатели
document-state = Состояние
document-confidentiality = Конфиденциальность
document-updated = Последнее изменение
document-type = Вид документа
document-digest = Хеш содержимого (SHA-256)
document-actions = Что вы можете сделать
document-reason = Причина
document-files = Файлы
document-no-files = Файлы не приложены.
document-attach = Приложить файл
document-upload = Загрузить
document-history = Подписанная история
document-no-history = Ещё не отправлен.
document-step = Шаг
document-when = Когда
document-receipt = Квитанция
document-receipt-download = Скачать
document-receipt-verify = Проверить
document-field-subject = Тема
document-field-document_type = Вид документа (письмо, соглашение, запрос, отчёт…)
document-field-reference_number = Ваш регистрационный номер
doc-state-draft = Черновик
doc-state-sent = Отправлен
doc-state-recalled = Отозван
copy-state-pending = Ещё не отправлен
copy-state-sent = Отправлен, ещё не получен
copy-state-delivered = Получен
copy-state-accepted = Принят
copy-state-rejected = Отклонён
copy-state-signed = Подписан
confidentiality-public = Открытый
confidentiality-internal = Для служебного пользования
confidentiality-confidential = Конфиденциально
step-send = Отправлен
step-recall = Отозван
step-deliver = Получен
step-accept = Принят
step-reject = Отклонён
step-sign = Подписан
step-do-send = Отправить
step-do-recall = Отозвать
step-do-deliver = Подтвердить получение
step-do-accept = Принять
step-do-reject = Отклонить
step-do-sign = Подписать
receipt-valid = Действительна: все подписи и цепочка шагов проверены.
receipt-invalid = Недействительна:
doc-done = Готово. Новое состояние документа показано ниже.
doc-error-transition = Этот шаг невозможен в текущем состоянии документа; страница показывает, где он сейчас.
doc-error-input = Проверьте форму: для отклонения нужна причина, у файла должно быть имя.
doc-error-too-large = Файл больше, чем принимает этот сервер.
doc-error-file-type = Файлы этого типа не принимаются.
field-required = Заполните это поле.
field-too_long = Слишком длинно.
field-invalid_format = Неверный формат.
field-unknown_value = Выберите одно из предложенных значений.
field-invalid_value = Это значение здесь недопустимо.
field-duplicate = Указано дважды.
field-too_many = Слишком много значений.
field-out_of_range = Значение вне допустимого диапазона.
field-invalid = Проверьте это поле.
moderation-title = Очередь проверки
moderation-done = Решение сохранено.
moderation-empty = Ничего не ждёт проверки.
moderation-history = История
moderation-decision = Решение
moderation-approve = Одобрить
moderation-reject = Отклонить
moderation-error-reason = Укажите причину отклонения.
decision-pending = Ждёт проверки
decision-approved = Одобрено
decision-rejected = Отклонено
invitation-title = Приглашение
invitation-offer-role = Вас приглашают в { $organisation } с ролью «{ $role }».
invitation-offer-platform-admin = Вас приглашают администрировать платформу.
invitation-until = Действует до
invitation-status-open = открыто
invitation-status-accepted = уже принято
invitation-status-expired = истекло
invitation-status-revoked = отозвано
invitation-accept = Принять приглашение
invitation-sign-in-first = Сначала войдите через поставщика удостоверений вашей страны, затем примите приглашение здесь.

## Publishing
publishing-new = Новая публикация
publishing-edit = Редактирование публикации
publishing-saved = Сохранено. Читатели сразу видят новую версию.
publishing-public-page = Открытая страница публикации
publishing-fix = Некоторые поля требуют внимания; они отмечены ниже.
publishing-type = Тип
publishing-language = Язык названия и аннотации
publishing-title = Название
publishing-abstract = Аннотация
publishing-translations = На других языках (необязательно)
publishing-authors = Авторы в порядке цитирования
publishing-author-name = Автор
publishing-affiliation = Место работы
publishing-keywords = Ключевые слова через запятую
publishing-issued = Дата публикации (год, год-месяц или полная дата)
publishing-venue = Журнал, конференция или серия
publishing-licence = Лицензия (идентификатор SPDX)
publishing-access = Кто может читать
publishing-embargo = Эмбарго до (для эмбарго)
publishing-save = Сохранить
access-open = Все
access-organisation = Только наша организация
access-embargoed = Все, после эмбарго

## Administration
admin-intro = Администрирование организации: участники, приглашения, вебхук документов и ключи подписи.
admin-done = Готово.
admin-error = Это невозможно; проверьте значения.
admin-shown-once = скопируйте сейчас: показывается только один раз.
admin-members = Участники
admin-person = Человек
admin-since = С
admin-change-role = Изменить роль
admin-remove = Исключить
admin-invitations = Приглашения
admin-days = Сколько дней действует ссылка (от 1 до 30)
admin-invite = Создать ссылку-приглашение
admin-invitation-link = Ссылка-приглашение
admin-revoke = Отозвать
admin-webhook = Вебхук документов
admin-webhook-current = События отправляются на
admin-webhook-delete = Прекратить отправку событий
admin-webhook-url = Адрес (https) для событий
admin-webhook-set = Задать вебхук
admin-webhook-secret = Секрет подписи вебхука
admin-keys = Ключи подписи
admin-key-until = Действует до
admin-key-current = текущий
admin-key-rotate = Сменить ключ подписи
admin-partners = Системы партнёров
admin-partner-name = Название
admin-partner-organisation = Организация (slug, необязательно)
admin-partner-new = Зарегистрировать систему партнёра
admin-partner-create = Зарегистрировать
admin-scopes = Области доступа
admin-rate = Запросов в минуту
admin-rotate-secret = Новый секрет
admin-revoked = отозвана
admin-client-secret = Секрет клиента
nav-administer = Управление

## Datasets in the workspace
dataset-form-new = Новый набор данных
dataset-form-edit = Редактирование набора данных
dataset-form-public-page = Открытая страница набора данных
dataset-form-name = Имя в адресе (строчные латинские буквы, цифры, - и _)
dataset-form-notes = Описание
dataset-form-tags = Теги через запятую
dataset-form-from = Данные с
dataset-form-to = Данные по
dataset-form-spatial = Охваченная территория
dataset-form-private = Закрытый: видит только наша организация
dataset-form-resources = Ресурсы
dataset-form-upload = Загрузить файл (CSV, XLSX, JSON…); предпросмотр появится на странице набора
dataset-form-link = Или ссылка на ресурс (https)
dataset-form-link-name = Название ресурса по ссылке
dataset-form-add-link = Добавить ссылку
error-input-title = Это не удалось
error-input-text = Запрос в таком виде отклонён. Вернитесь, проверьте введённое и попробуйте снова.

## Listings in the workspace
listing-form-new = Новое объявление
listing-form-edit = Редактирование объявления
listing-form-submit = Отправить на проверку
listing-form-submitted = Отправлено: модераторы проверят объявление до публикации.
listing-form-price-min = Цена (или минимальная), целых единиц
listing-form-price-max = Максимальная цена (для диапазона)
listing-form-currency = Валюта
listing-form-starts = Начало (мероприятия)
listing-form-ends = Окончание (мероприятия)
listing-form-email = Контактный e-mail
listing-form-url = Контактная веб-страница
listing-state-draft = Черновик
listing-state-pending_review = Ждёт проверки
listing-state-published = Опубликовано
listing-state-rejected = Отклонено
listing-state-archived = В архиве
price-model-free = Бесплатно
price-model-fixed = Фиксированная цена
price-model-hourly = Почасово
price-model-subscription = Подписка
price-model-on_request = По запросу
price-model-range = Диапазон цен

## Mailbox filters
documents-drafts = Черновики
documents-waiting-filter = Ждут нас
documents-unread-filter = Ещё не получены

## IMEI cases
cases-title = Дела по IMEI
cases-filters = Отбор дел
cases-all = Все
cases-empty = Дел нет.
case-reference = Номер
case-kind = Вид
case-state = Состояние
case-country = Страна
case-updated = Последнее изменение
case-attention = замечен за рубежом
cases-statistics = Статистика
cases-per-month = Дела, открытые по месяцам
case-month = Месяц
cases-opened = Открыто дел
cases-returns = Телефоны, возвращённые владельцам
cases-returned = Возвращено
cases-median-days = Медиана дней до возврата
cases-csv = Скачать данные (CSV)
case-summary = Описание
case-devices = Устройства
case-contact = Контакт владельца
case-found-by = Найдено
case-held-at = Где хранится
case-embassy = Посольство, передающее устройство
case-actions = Что вы можете сделать
case-note = Примечание
case-history = История
case-event = Событие
case-organisation = Организация
case-when = Когда
case-done = Готово.
case-error-transition = Дело изменилось или сейчас не допускает этот шаг. Обновите страницу и повторите.
case-error-input = Укажите, где хранится устройство (не более 300 знаков); примечание — не более 2000 знаков.
case-do-found = Отметить устройство найденным
case-do-handed-over = Отметить передачу владельцу
case-do-close = Закрыть дело
case-do-withdraw = Отозвать дело
case-kind-lost = Утерян
case-kind-stolen = Украден
case-kind-fraud = Мошенничество
case-kind-crime = Преступление
case-state-open = Открыто
case-state-located = Замечен за рубежом
case-state-found = Найден
case-state-handed-over = Передан владельцу
case-state-closed = Закрыто
case-state-withdrawn = Отозвано
case-event-opened = Открыто
case-event-sighted = Замечен в сети
case-event-found = Найден
case-event-handed-over = Передан владельцу
case-event-closed = Закрыто
case-event-withdrawn = Отозвано
case-event-linked = Связано с другим делом
workspace-task-located = { $count ->
    [one] { $shown } утерянный телефон замечен за рубежом
    [few] { $shown } утерянных телефона замечены за рубежом
    [many] { $shown } утерянных телефонов замечены за рубежом
   *[other] { $shown } утерянного телефона замечены за рубежом
}
workspace-task-found = { $count ->
    [one] { $shown } найденный телефон ждёт передачи
    [few] { $shown } найденных телефона ждут передачи
    [many] { $shown } найденных телефонов ждут передачи
   *[other] { $shown } найденного телефона ждут передачи
}

## IT hub
nav-hub = IT-хаб
hub-title = Программы IT-хаба
hub-intro = Акселерационные программы, хакатоны, дни демонстраций и конкурсы соинвестирования, которые вместе проводят IT-парки Узбекистана и Азербайджана.
hub-all = Все
hub-kind = Вид
hub-kind-accelerator = Акселерационная программа
hub-kind-hackathon = Хакатон
hub-kind-demo-day = День демонстраций
hub-kind-co-investment = Конкурс соинвестирования
hub-phase-draft = Черновик
hub-phase-upcoming = Приём заявок скоро откроется
hub-phase-open = Приём заявок открыт
hub-phase-reviewing = Идёт оценка
hub-phase-decided = Решения приняты
hub-calendar = Календарь программ (iCalendar)
hub-programmes = Программы
hub-programme = Программа
hub-empty = Программ нет.
hub-applications-open = Приём заявок с
hub-applications-close = Приём заявок до
hub-dates = Даты
hub-location = Где
hub-countries = Стартапы из
hub-stages = Стадии
hub-sectors = Отрасли
hub-capacity = Мест
hub-fund = Фонд
hub-organisers = Организаторы
hub-any = Любые
hub-accepted = Принятые стартапы
hub-take-part = Участие
hub-your-application = Ваша заявка
hub-startup = Стартап
hub-stage = Стадия
hub-stage-idea = Идея
hub-stage-mvp = Минимальный продукт
hub-stage-seed = Посевная стадия
hub-stage-growth = Рост
hub-sector = Отрасль
hub-sector-fintech = Финансовые технологии
hub-sector-govtech = Технологии для государства
hub-sector-edtech = Технологии образования
hub-sector-healthtech = Технологии здравоохранения
hub-sector-agritech = Агротехнологии
hub-sector-logistics = Логистика
hub-sector-ecommerce = Электронная торговля
hub-sector-cybersecurity = Кибербезопасность
hub-sector-ai = Искусственный интеллект
hub-sector-telecom = Телекоммуникации
hub-sector-other = Другое
hub-apply = Начать заявку
hub-desk = Рабочее место программы
hub-sign-in-to-apply = Войдите, чтобы подать заявку
hub-registered = У вас есть место.
hub-waitlisted = Вы в листе ожидания под номером { $count }.
hub-register = Занять место
hub-cancel-place = Отказаться от места
hub-error-deadline = Приём заявок на эту программу закрыт.
hub-error-not-open = Приём заявок на эту программу ещё не открыт.
hub-error-transition = Пока вы были на странице, что-то изменилось, или это сейчас нельзя сделать. Обновите страницу и попробуйте снова.
hub-error-input = Исправьте отмеченные поля.
hub-field-not-eligible = Эта программа такое не принимает.
hub-application-state = Состояние
hub-application-state-draft = Черновик
hub-application-state-submitted = Подана
hub-application-state-withdrawn = Отозвана
hub-decision = Решение
hub-decision-accepted = Принята
hub-decision-waitlisted = В резерве
hub-decision-declined = Отклонена
hub-reviews = { $count ->
    [one] { $shown } оценка
    [few] { $shown } оценки
    [many] { $shown } оценок
   *[other] { $shown } оценки
}
hub-reviewed = Вы оценили заявку
hub-to-review = Нужно оценить
hub-workspace-title = IT-хаб: заявки и программы
hub-browse = Все программы
hub-my-applications = Заявки ваших стартапов
hub-no-applications = Заявок нет.
hub-running = Ваши программы
hub-reviewing = Программы, которые вы оцениваете
hub-public-page = Публичная страница
hub-applications = Заявки
hub-scores = Оценки
hub-panel = Экспертная комиссия
hub-no-reviewers = Экспертов пока нет.
hub-do-remove-reviewer = Исключить
hub-reviewer-id = Идентификатор пользователя эксперта
hub-do-appoint = Включить в комиссию
hub-conflict = Конфликт интересов
hub-conflict-intro = Укажите стартап, в котором вы заинтересованы: его заявка больше не будет вам показана.
hub-conflict-startup = Адресное имя стартапа
hub-conflict-reason = Причина (необязательно)
hub-do-conflict = Заявить о конфликте
hub-do-publish = Опубликовать программу
hub-do-results = Опубликовать решения
hub-do-confirm = Подтвердить, что { $organisation } тоже организует программу
hub-done = Готово.
hub-submitted = Подана
hub-answers = Ответы
hub-required = обязательно
hub-save = Сохранить
hub-file = Файл
hub-attach = Приложить
hub-submit-intro = Поданная заявка передаётся экспертной комиссии; отозвать её можно до публикации решений.
hub-submit = Подать заявку
hub-withdraw = Отозвать заявку
hub-review = Оценка
hub-weighted-mean = Взвешенное среднее
hub-criterion = Критерий
hub-mean = Средний балл
hub-comments = Комментарии экспертов
hub-comment = Комментарий
hub-save-review = Сохранить мою оценку
hub-decide = Решение
hub-do-decide = Записать решение
workspace-task-decisions = { $count ->
    [one] { $shown } решение по вашим заявкам
    [few] { $shown } решения по вашим заявкам
    [many] { $shown } решений по вашим заявкам
   *[other] { $shown } решения по вашим заявкам
}
