#!/bin/sh
# Run once by the postgres image when its volume is new: a role and a
# database for Boussole beside Mattermost's. The password comes from the
# environment (deploy/.env), never from this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$BOUSSOLE_DB_PASSWORD" <<'SQL'
CREATE ROLE boussole LOGIN PASSWORD :'pw';
CREATE DATABASE boussole OWNER boussole;
SQL
