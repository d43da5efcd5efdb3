-- Run once by the postgres image on an empty volume: the database
-- stationflow keeps its records in. Temporal's two databases are made by
-- the temporal-schema service with temporal-sql-tool.
CREATE DATABASE stationflow;
