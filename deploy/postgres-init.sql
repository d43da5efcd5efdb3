-- Run once by the postgres image, on an empty volume: the database stationflow
-- keeps its records in (its worker and API apply the migrations at start).
-- Temporal's two databases are created by the temporal-admin-tools service.
CREATE DATABASE stationflow;
