DROP TABLE change_log;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organisations;
