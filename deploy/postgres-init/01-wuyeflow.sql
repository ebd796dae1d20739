-- Creates the application's role and database on the first start of the postgresql service
-- (scripts in /docker-entrypoint-initdb.d/ run only when the data volume is empty).
-- The Temporal databases are not made here: the server's superuser owns `temporal`
-- (POSTGRES_DB) and temporalio/auto-setup creates `temporal_visibility` itself.
--
-- The password comes from the container's environment (WUYEFLOW_DB_PASSWORD, passed in by
-- docker-compose.yml) through psql's \getenv, so it is never written into this file.

\set ON_ERROR_STOP on
\getenv wuyeflow_password WUYEFLOW_DB_PASSWORD

\if :{?wuyeflow_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'WUYEFLOW_DB_PASSWORD is not set in the postgresql container'; END $$;
\endif

CREATE ROLE wuyeflow WITH LOGIN PASSWORD :'wuyeflow_password';
CREATE DATABASE wuyeflow WITH OWNER wuyeflow ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE wuyeflow FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE wuyeflow TO wuyeflow;
