"""The seven engines segdsl's SQL is proven on, each loaded with one dataset.

Every engine runs with its default settings: the compiled SQL may not rely on a session
setting. Servers (PostgreSQL, MariaDB) are started by the test run itself, in a temporary
folder, listening on 127.0.0.1 only, and stopped at the end. Spark runs in local mode.

A dataset is {table: (columns, rows)} with columns as (name, type) in segdsl's types
(int, float, string, bool, date, timestamp) and rows as tuples; `load` puts it in a schema.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import sqlglot
from sqlglot import exp

Dataset = dict[str, tuple[list[tuple[str, str]], list[tuple]]]

_GENERIC_TYPES = {"int": "BIGINT", "float": "DOUBLE", "string": "TEXT", "bool": "BOOLEAN",
                  "date": "DATE", "timestamp": "TIMESTAMP"}


def _ddl(schema_name: str, table: str, columns, dialect: str, types: dict[str, str] | None = None) -> str:
    types = {**_GENERIC_TYPES, **(types or {})}
    schema = exp.Schema(
        this=exp.table_(table, db=schema_name),
        expressions=[exp.ColumnDef(this=exp.to_identifier(name, quoted=True),
                                   kind=exp.DataType.build(types[t], dialect=dialect)) for name, t in columns],
    )
    return exp.Create(this=schema, kind="TABLE").sql(dialect=dialect)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start listening on 127.0.0.1:{port}")


class Engine:
    name: str
    dialect: str  # the sqlglot dialect segdsl compiles for

    def load(self, schema: str, data: Dataset) -> None:
        raise NotImplementedError

    def run_many(self, queries: dict[str, str]) -> dict[str, list]:
        """Each query's first column, by name."""
        return {name: [row[0] for row in self.query(sql)] for name, sql in queries.items()}

    def query(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DuckDB(Engine):
    name = dialect = "duckdb"

    def __init__(self):
        import duckdb

        self.con = duckdb.connect()

    def load(self, schema, data):
        self.con.execute(f"CREATE SCHEMA {schema}")
        for table, (columns, rows) in data.items():
            self.con.execute(_ddl(schema, table, columns, "duckdb"))
            if rows:
                self.con.executemany(f"INSERT INTO {schema}.{table} VALUES ({', '.join('?' * len(columns))})", rows)

    def query(self, sql):
        return self.con.execute(sql).fetchall()


class SQLite(Engine):
    """Times are ISO text (SQLite's own convention); `regexp`, and Unicode `lower`/`upper`,
    are registered by the user, as the README's support matrix says."""

    name = dialect = "sqlite"

    def __init__(self):
        self.con = sqlite3.connect(":memory:")
        # SQLite has no regex matcher of its own: `x REGEXP p` calls a user function.
        self.con.create_function("regexp", 2, lambda p, s: None if s is None else re.search(p, s) is not None,
                                 deterministic=True)
        # and its lower()/upper() change ASCII letters only (without the ICU extension)
        for name, func in (("lower", str.lower), ("upper", str.upper)):
            self.con.create_function(name, 1, lambda s, f=func: None if s is None else f(s), deterministic=True)

    def load(self, schema, data):
        self.con.execute(f"ATTACH ':memory:' AS {schema}")
        for table, (columns, rows) in data.items():
            self.con.execute(_ddl(schema, table, columns, "sqlite", {"bool": "INTEGER"}))
            rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
            self.con.executemany(f"INSERT INTO {schema}.{table} VALUES ({', '.join('?' * len(columns))})", rows)

    def query(self, sql):
        return self.con.execute(sql).fetchall()


def _sqlite_value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


class ClickHouse(Engine):
    name = dialect = "clickhouse"

    def __init__(self):
        from chdb import session

        self.dir = tempfile.mkdtemp(prefix="segdsl-chdb-")
        self.session = session.Session(self.dir)

    def load(self, schema, data):
        self.session.query(f"CREATE DATABASE IF NOT EXISTS {schema}")
        types = {"int": "Nullable(Int64)", "float": "Nullable(Float64)", "string": "Nullable(String)",
                 "bool": "Nullable(Bool)", "date": "Nullable(Date32)", "timestamp": "Nullable(DateTime64(0))"}
        for table, (columns, rows) in data.items():
            # Nullable only where the data has a missing value, as ClickHouse tables usually are
            nullable = [any(r[i] is None for r in rows) for i in range(len(columns))]
            cols = ", ".join(f"`{n}` {types[t] if null else types[t][9:-1]}"
                             for (n, t), null in zip(columns, nullable))
            self.session.query(f"CREATE TABLE {schema}.{table} ({cols}) ENGINE = Memory")
            for start in range(0, len(rows), 500):
                values = exp.values([tuple(_literal(v) for v in row) for row in rows[start:start + 500]])
                self.session.query(f"INSERT INTO {schema}.{table} {values.sql(dialect='clickhouse')}")

    def query(self, sql):
        result = self.session.query(sql, "JSONCompact")
        import json

        return [tuple(r) for r in json.loads(result.bytes() or b'{"data": []}')["data"]]

    def close(self):
        self.session.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _literal(v, typed: bool = False) -> exp.Expression:
    if v is None:
        return exp.null()
    if isinstance(v, bool):
        return exp.Boolean(this=v)
    if isinstance(v, (dt.datetime, dt.date)):
        text = exp.Literal.string(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat())
        kind = "TIMESTAMP" if isinstance(v, dt.datetime) else "DATE"
        return exp.cast(text, kind) if typed else text
    if isinstance(v, (int, float)):
        return exp.Literal.number(repr(v))
    return exp.Literal.string(v)


class DataFusion(Engine):
    """No sqlglot dialect of its own: segdsl's postgres SQL is what it runs."""

    name = "datafusion"
    dialect = "postgres"

    def __init__(self):
        import datafusion

        self.ctx = datafusion.SessionContext()

    def load(self, schema, data):
        self.ctx.sql(f"CREATE SCHEMA {schema}").collect()
        for table, (columns, rows) in data.items():
            self.ctx.sql(_ddl(schema, table, columns, "postgres", {"float": "DOUBLE", "string": "VARCHAR"})).collect()
            for start in range(0, len(rows), 500):
                values = exp.values([tuple(_literal(v, typed=True) for v in row) for row in rows[start:start + 500]])
                self.ctx.sql(f"INSERT INTO {schema}.{table} {values.sql(dialect='postgres')}").collect()

    def query(self, sql):
        table = self.ctx.sql(sql).to_arrow_table()
        return list(zip(*[c.to_pylist() for c in table.columns])) if table.num_columns else []


class PostgreSQL(Engine):
    """A real server from Debian's package, initialised in a temp folder as user postgres."""

    name = dialect = "postgres"

    def __init__(self):
        import psycopg

        self.dir = Path(tempfile.mkdtemp(prefix="segdsl-pg-"))
        shutil.chown(self.dir, "postgres")
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.port = _free_port()
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                        "-U", "postgres", "--no-sync"], check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [*as_postgres, str(bindir / "postgres"), "-D", str(self.dir / "data"), "-p", str(self.port),
             "-h", "127.0.0.1", "-k", str(self.dir), "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.proc, "postgres")
        for _ in range(50):
            try:
                self.con = psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", autocommit=True)
                break
            except psycopg.OperationalError:  # listening, not yet accepting
                time.sleep(0.2)

    def load(self, schema, data):
        self.con.execute(f"CREATE SCHEMA {schema}")
        for table, (columns, rows) in data.items():
            self.con.execute(_ddl(schema, table, columns, "postgres"))
            with self.con.cursor() as cur:
                cur.executemany(f"INSERT INTO {schema}.{table} VALUES ({', '.join(['%s'] * len(columns))})", rows)

    def query(self, sql):
        return self.con.execute(sql).fetchall()

    def close(self):
        self.con.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaDB(Engine):
    """A real server from Debian's package. The database uses a binary collation that
    keeps trailing spaces (NO PAD): the default one compares strings case-insensitively,
    and utf8mb4_bin finds "a" = "a ", which no other engine does."""

    name = "mariadb"
    dialect = "mysql"

    def __init__(self):
        import pymysql

        self.dir = Path(tempfile.mkdtemp(prefix="segdsl-maria-"))
        self.port = _free_port()
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(["mariadb-install-db", f"--datadir={self.dir / 'data'}", *user,
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.dir / 'data'}", *user, f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.dir / 'sock'}", "--skip-log-bin",
             f"--pid-file={self.dir / 'pid'}", "--innodb-flush-log-at-trx-commit=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.proc, "mariadb")
        for _ in range(50):
            try:
                self.con = pymysql.connect(host="127.0.0.1", port=self.port, user="root", autocommit=True)
                break
            except pymysql.err.OperationalError:
                time.sleep(0.2)

    def load(self, schema, data):
        with self.con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {schema} CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
            for table, (columns, rows) in data.items():
                cur.execute(_ddl(schema, table, columns, "mysql", {"string": "VARCHAR(200)", "timestamp": "DATETIME"}))
                cur.executemany(f"INSERT INTO {schema}.{table} VALUES ({', '.join(['%s'] * len(columns))})", rows)

    def query(self, sql):
        with self.con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def close(self):
        self.con.close()
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Spark(Engine):
    """Local-mode Spark: slow to start and about half a second a query, so `run_many`
    sends all the queries as one UNION ALL job."""

    name = dialect = "spark"

    def __init__(self):
        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        self.dir = tempfile.mkdtemp(prefix="segdsl-spark-")
        self.spark = (
            SparkSession.builder.master("local[2]").appName("segdsl-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", os.path.join(self.dir, "warehouse"))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, schema, data):
        from pyspark.sql import types as T

        spark_types = {"int": T.LongType(), "float": T.DoubleType(), "string": T.StringType(),
                       "bool": T.BooleanType(), "date": T.DateType(), "timestamp": T.TimestampType()}
        self.spark.sql(f"CREATE DATABASE {schema}")
        for table, (columns, rows) in data.items():
            struct = T.StructType([T.StructField(n, spark_types[t]) for n, t in columns])
            self.spark.createDataFrame(rows, struct).write.saveAsTable(f"{schema}.{table}")

    def run_many(self, queries):
        names = list(queries)
        parts = [f"SELECT {i} AS q, s.* FROM ({queries[n]}) AS s" for i, n in enumerate(names)]
        results: dict[str, list] = {n: [] for n in names}
        for start in range(0, len(parts), 100):
            for q, key in self.spark.sql("\nUNION ALL\n".join(parts[start:start + 100])).collect():
                results[names[q]].append(key)
        return results

    def query(self, sql):
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self):
        self.spark.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


ALL = [DuckDB, SQLite, PostgreSQL, ClickHouse, DataFusion, MariaDB, Spark]
