-- Marketplace: listings of IT services, products, startups, co-investment calls and events.

-- Platform moderators review listings (platform administrators may too).
ALTER TABLE users ADD COLUMN is_moderator BOOLEAN NOT NULL DEFAULT FALSE;

-- The managed category taxonomy.
CREATE TABLE listing_categories (
    slug        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    names_json  TEXT NOT NULL DEFAULT '{}',
    position    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO listing_categories (slug, name, names_json, position) VALUES
('software-development', 'Software development', '{"en": "Software development", "uz-Latn": "Dasturiy taʼminot ishlab chiqish", "uz-Cyrl": "Дастурий таъминот ишлаб чиқиш", "az": "Proqram təminatının hazırlanması", "ru": "Разработка программного обеспечения"}', 0),
('it-consulting', 'IT consulting', '{"en": "IT consulting", "uz-Latn": "AT konsalting", "uz-Cyrl": "АТ консалтинг", "az": "İT konsaltinq", "ru": "ИТ-консалтинг"}', 1),
('cloud-hosting', 'Cloud and hosting', '{"en": "Cloud and hosting", "uz-Latn": "Bulutli xizmatlar va hosting", "uz-Cyrl": "Булутли хизматлар ва хостинг", "az": "Bulud və hostinq", "ru": "Облачные сервисы и хостинг"}', 2),
('cybersecurity', 'Cybersecurity', '{"en": "Cybersecurity", "uz-Latn": "Kiberxavfsizlik", "uz-Cyrl": "Киберхавфсизлик", "az": "Kibertəhlükəsizlik", "ru": "Кибербезопасность"}', 3),
('data-analytics', 'Data and analytics', '{"en": "Data and analytics", "uz-Latn": "Maʼlumotlar va tahlil", "uz-Cyrl": "Маълумотлар ва таҳлил", "az": "Məlumatlar və analitika", "ru": "Данные и аналитика"}', 4),
('ai-ml', 'Artificial intelligence', '{"en": "Artificial intelligence", "uz-Latn": "Sunʼiy intellekt", "uz-Cyrl": "Сунъий интеллект", "az": "Süni intellekt", "ru": "Искусственный интеллект"}', 5),
('fintech', 'Financial technology', '{"en": "Financial technology", "uz-Latn": "Moliyaviy texnologiyalar", "uz-Cyrl": "Молиявий технологиялар", "az": "Maliyyə texnologiyaları", "ru": "Финансовые технологии"}', 6),
('agritech', 'Agricultural technology', '{"en": "Agricultural technology", "uz-Latn": "Qishloq xoʻjaligi texnologiyalari", "uz-Cyrl": "Қишлоқ хўжалиги технологиялари", "az": "Kənd təsərrüfatı texnologiyaları", "ru": "Агротехнологии"}', 7),
('edtech', 'Education technology', '{"en": "Education technology", "uz-Latn": "Taʼlim texnologiyalari", "uz-Cyrl": "Таълим технологиялари", "az": "Təhsil texnologiyaları", "ru": "Образовательные технологии"}', 8),
('govtech', 'Government technology', '{"en": "Government technology", "uz-Latn": "Davlat xizmatlari texnologiyalari", "uz-Cyrl": "Давлат хизматлари технологиялари", "az": "Dövlət texnologiyaları", "ru": "Государственные технологии"}', 9),
('telecom', 'Telecommunications', '{"en": "Telecommunications", "uz-Latn": "Telekommunikatsiyalar", "uz-Cyrl": "Телекоммуникациялар", "az": "Telekommunikasiya", "ru": "Телекоммуникации"}', 10),
('hardware', 'Hardware and electronics', '{"en": "Hardware and electronics", "uz-Latn": "Apparat taʼminoti va elektronika", "uz-Cyrl": "Аппарат таъминоти ва электроника", "az": "Avadanlıq və elektronika", "ru": "Оборудование и электроника"}', 11),
('e-commerce', 'E-commerce', '{"en": "E-commerce", "uz-Latn": "Elektron tijorat", "uz-Cyrl": "Электрон тижорат", "az": "Elektron ticarət", "ru": "Электронная коммерция"}', 12),
('healthtech', 'Health technology', '{"en": "Health technology", "uz-Latn": "Tibbiyot texnologiyalari", "uz-Cyrl": "Тиббиёт технологиялари", "az": "Səhiyyə texnologiyaları", "ru": "Медицинские технологии"}', 13),
('logistics', 'Logistics', '{"en": "Logistics", "uz-Latn": "Logistika", "uz-Cyrl": "Логистика", "az": "Logistika", "ru": "Логистика"}', 14);

-- A listing's live content: what the public sees once it is published. Edits of a published
-- listing wait in listing_revisions (pending_revision) until a moderator approves them.
CREATE TABLE listings (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN ('service', 'product', 'startup', 'investment_call', 'event')),
    state              TEXT NOT NULL CHECK (state IN ('draft', 'pending_review', 'published', 'rejected', 'archived')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    translations_json  TEXT NOT NULL DEFAULT '{}',
    price_model        TEXT NOT NULL CHECK (price_model IN ('free', 'fixed', 'hourly', 'subscription', 'on_request', 'range')),
    price_min          BIGINT CHECK (price_min IS NULL OR price_min >= 0),
    price_max          BIGINT CHECK (price_max IS NULL OR price_max >= 0),
    currency           TEXT CHECK (currency IS NULL OR currency IN ('UZS', 'AZN', 'USD', 'EUR')),
    starts_at          TIMESTAMP,
    ends_at            TIMESTAMP,
    contact_email      TEXT,
    contact_url        TEXT,
    created_by         TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    published_at       TIMESTAMP,
    pending_revision   INTEGER
);
CREATE INDEX listings_state_published ON listings (state, published_at);
CREATE INDEX listings_organisation ON listings (organisation_id);

CREATE TABLE listing_countries (
    listing_id  TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    country     TEXT NOT NULL,
    PRIMARY KEY (listing_id, country)
);
CREATE INDEX listing_countries_country ON listing_countries (country);

CREATE TABLE listing_category_links (
    listing_id     TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    category_slug  TEXT NOT NULL REFERENCES listing_categories (slug),
    PRIMARY KEY (listing_id, category_slug)
);
CREATE INDEX listing_category_links_category ON listing_category_links (category_slug);

-- Every version of a listing and the moderation decision on it: the history.
CREATE TABLE listing_revisions (
    listing_id    TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    revision      INTEGER NOT NULL,
    content_json  TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TIMESTAMP NOT NULL,
    decision      TEXT CHECK (decision IS NULL OR decision IN ('approved', 'rejected')),
    decided_by    TEXT,
    decided_at    TIMESTAMP,
    reason        TEXT,
    PRIMARY KEY (listing_id, revision)
);

CREATE TABLE enquiries (
    id               TEXT PRIMARY KEY NOT NULL,
    listing_id       TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    sender_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message          TEXT NOT NULL,
    reply_to         TEXT,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX enquiries_organisation ON enquiries (organisation_id, created_at);
CREATE INDEX enquiries_sender ON enquiries (sender_id, created_at);
