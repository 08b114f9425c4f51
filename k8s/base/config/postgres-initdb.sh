# Run once by the pgvector/pgvector image, as its superuser, when the data folder is empty
# (/docker-entrypoint-initdb.d; sourced by the image's entrypoint, so no shebang and no `set`). Used by
# Kubernetes (ConfigMap faceoff-postgres-initdb, k8s/base/kustomization.yaml) and docker-compose.yml (bind mount).
#
# faceoff connects as its own role, `faceoff`, which owns the database faceoff (so Flyway may create the
# tables) and is no superuser. The `vector` extension is created here because pgvector is not a trusted
# extension: only a superuser may create it, and the migration's CREATE EXTENSION IF NOT EXISTS then finds it.
# The role's password is FACEOFF_PASSWORD (Secret faceoff-postgres, key password; compose: .env).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=db="$POSTGRES_DB" --set=password="$FACEOFF_PASSWORD" <<'SQL'
CREATE ROLE faceoff LOGIN PASSWORD :'password';
ALTER DATABASE :"db" OWNER TO faceoff;
CREATE EXTENSION IF NOT EXISTS vector;
SQL
