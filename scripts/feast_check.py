"""Compares Strata's training sets with Feast 0.67's, cell for cell, on a spine built to hit every
point-in-time rule of docs/point-in-time.md. Run through scripts/feast-check, which prepares the
venv, the data and the servers; not part of CI (the project never depends on Python).

It also runs deliberately wrong joins (as SQL) against Feast, so that a clean result means the
spine can see each rule, not that the comparison is blind.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
from datetime import timedelta

import numpy as np
import pandas as pd
import psycopg

VIEWS = {
    # view: (source table, join key, entity, ttl seconds, created column, [(feature, kind)])
    "driver_hourly_stats": ("driver_hourly_stats", "driver_id", "driver", 2 * 86400, "created",
                            [("conv_rate", "float64"), ("acc_rate", "float32"), ("avg_daily_trips", "int64")]),
    "customer_profile": ("customer_daily_profile", "customer_id", "customer", 30 * 86400, "created",
                         [("current_balance", "float64"), ("avg_passenger_count", "float32"),
                          ("lifetime_trip_count", "int32"), ("segment", "string")]),
    "driver_quality": ("driver_quality", "driver_id", "driver", 0, None,
                       [("rating", "float64"), ("verified", "bool"), ("vehicle_class", "string"),
                        ("last_inspection", "timestamp")]),
}
STRATEGIES = ["automatic", "extraction", "sort-merge", "lateral"]
SPINE_QUERY = "SELECT spine_id, driver_id, customer_id, event_timestamp FROM feast_spine"


def references():
    return [f"{view}:{feature}" for view, spec in VIEWS.items() for feature, _ in spec[5]]


def columns():
    return [(f"{view}__{feature}", kind) for view, spec in VIEWS.items() for feature, kind in spec[5]]


def prepare(conn):
    """Adds rows whose created timestamp is null (never candidates, in Feast and in Strata), then
    builds the spine."""
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE driver_hourly_stats ALTER COLUMN created DROP NOT NULL")
        cur.execute("ALTER TABLE customer_daily_profile ALTER COLUMN created DROP NOT NULL")
        # A later row with a null created time, and a null-created twin of an existing row, per entity sampled:
        # were they candidates, they would win.
        cur.execute("""
            INSERT INTO driver_hourly_stats (driver_id, event_timestamp, created, conv_rate, acc_rate, avg_daily_trips)
            SELECT driver_id, event_timestamp + interval '30 minutes', NULL::timestamptz, 0.123456789, 0.5, 777
            FROM (SELECT DISTINCT ON (driver_id) driver_id, event_timestamp FROM driver_hourly_stats
                  WHERE driver_id % 7 = 0 ORDER BY driver_id, event_timestamp DESC OFFSET 0) t
            UNION ALL
            SELECT driver_id, event_timestamp, NULL::timestamptz, 0.987654321, 0.25, 555
            FROM (SELECT driver_id, event_timestamp FROM driver_hourly_stats WHERE driver_id % 11 = 0
                  AND created IS NOT NULL ORDER BY driver_id, event_timestamp LIMIT 40) t""")
        cur.execute("""
            INSERT INTO customer_daily_profile (customer_id, event_timestamp, created, current_balance,
                avg_passenger_count, lifetime_trip_count, segment)
            SELECT customer_id, event_timestamp + interval '1 hour', NULL::timestamptz, -1, 9, 9999, 'null-created'
            FROM (SELECT DISTINCT ON (customer_id) customer_id, event_timestamp FROM customer_daily_profile
                  WHERE customer_id % 13 = 0 ORDER BY customer_id, event_timestamp DESC) t""")
        cur.execute("DROP TABLE IF EXISTS feast_spine")
        cur.execute("CREATE TABLE feast_spine (driver_id bigint, customer_id bigint, event_timestamp timestamptz, why text)")
        cases = {
            "random": """SELECT d, c, lo + random() * (hi - lo) FROM (SELECT
                    (SELECT min(driver_id) FROM driver_hourly_stats) + floor(random() * 220)::bigint AS d,
                    (SELECT min(customer_id) FROM customer_daily_profile) + floor(random() * 320)::bigint AS c,
                    (SELECT min(event_timestamp) FROM driver_hourly_stats) AS lo,
                    (SELECT max(event_timestamp) + interval '3 days' FROM driver_hourly_stats) AS hi
                    FROM generate_series(1, 1500)) g""",
            "at a driver event time": "SELECT driver_id, {c}, event_timestamp FROM driver_hourly_stats ORDER BY random() LIMIT 400",
            "at driver event + ttl": "SELECT driver_id, {c}, event_timestamp + interval '2 days' FROM driver_hourly_stats ORDER BY random() LIMIT 300",
            "at driver event + ttl + 1 s": "SELECT driver_id, {c}, event_timestamp + interval '2 days 1 second' FROM driver_hourly_stats ORDER BY random() LIMIT 300",
            "at driver event + ttl + 1 µs": "SELECT driver_id, {c}, event_timestamp + interval '2 days 1 microsecond' FROM driver_hourly_stats ORDER BY random() LIMIT 300",
            "at a customer event time": "SELECT {d}, customer_id, event_timestamp FROM customer_daily_profile ORDER BY random() LIMIT 200",
            "at customer event + ttl": "SELECT {d}, customer_id, event_timestamp + interval '30 days' FROM customer_daily_profile ORDER BY random() LIMIT 200",
            "at customer event + ttl + 1 µs": "SELECT {d}, customer_id, event_timestamp + interval '30 days 1 microsecond' FROM customer_daily_profile ORDER BY random() LIMIT 200",
            "at a quality review": "SELECT driver_id, {c}, event_timestamp FROM driver_quality ORDER BY random() LIMIT 200",
            "1 µs before a quality review": "SELECT driver_id, {c}, event_timestamp - interval '1 microsecond' FROM driver_quality ORDER BY random() LIMIT 200",
            "before all data": "SELECT {d}, {c}, (SELECT min(event_timestamp) - interval '1 day' FROM driver_hourly_stats) FROM generate_series(1, 100)",
            "on duplicated event times": """SELECT driver_id, {c}, event_timestamp + s.shift FROM (SELECT driver_id, event_timestamp
                    FROM driver_hourly_stats WHERE created IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) t,
                    (VALUES (interval '0'), (interval '10 minutes')) s(shift)""",
            "on rows with null features": """SELECT driver_id, {c}, event_timestamp FROM driver_hourly_stats
                    WHERE conv_rate IS NULL OR acc_rate IS NULL OR avg_daily_trips IS NULL LIMIT 200""",
            "on customers with null features": """SELECT {d}, customer_id, event_timestamp FROM customer_daily_profile
                    WHERE current_balance IS NULL OR lifetime_trip_count IS NULL LIMIT 100""",
            "on null-created rows": """SELECT driver_id, {c}, event_timestamp + s.shift FROM driver_hourly_stats,
                    (VALUES (interval '0'), (interval '1 second')) s(shift) WHERE created IS NULL""",
            "on null-created customer rows": "SELECT {d}, customer_id, event_timestamp FROM customer_daily_profile WHERE created IS NULL",
            "unknown driver and customer": "SELECT 999999999, 999999999, (SELECT max(event_timestamp) FROM driver_hourly_stats) FROM generate_series(1, 50)",
        }
        random_customer = "(SELECT min(customer_id) FROM customer_daily_profile) + floor(random() * 320)::bigint"
        random_driver = "(SELECT min(driver_id) FROM driver_hourly_stats) + floor(random() * 220)::bigint"
        cur.execute("SELECT setseed(0.25)")
        for why, query in cases.items():
            cur.execute(f"INSERT INTO feast_spine SELECT *, %s FROM ({query.format(c=random_customer, d=random_driver)}) q", (why,))
        cur.execute("""INSERT INTO feast_spine SELECT driver_id, customer_id, event_timestamp, 'exact duplicate of a spine row'
                       FROM (SELECT * FROM feast_spine ORDER BY random() LIMIT 100) t""")
        cur.execute("ALTER TABLE feast_spine ADD COLUMN spine_id bigserial")
        cur.execute("SELECT why, count(*) FROM feast_spine GROUP BY why ORDER BY why")
        spine = cur.fetchall()
    conn.commit()
    return spine


def run_feast(url, work):
    from feast import Entity, FeatureStore, FeatureView, Field, ValueType
    from feast.infra.offline_stores.contrib.postgres_offline_store.postgres_source import PostgreSQLSource
    from feast.types import Bool, Float32, Float64, Int32, Int64, String, UnixTimestamp

    info = psycopg.conninfo.conninfo_to_dict(url)
    repo = os.path.join(work, "feast_repo")
    os.makedirs(repo, exist_ok=True)
    with open(os.path.join(repo, "feature_store.yaml"), "w") as f:
        f.write(f"""project: feast_check
provider: local
registry: {os.path.join(repo, "registry.db")}
online_store:
  type: sqlite
  path: {os.path.join(repo, "online.db")}
offline_store:
  type: postgres
  host: {info.get("host", "127.0.0.1")}
  port: {info.get("port", 5432)}
  database: {info.get("dbname", "strata")}
  db_schema: public
  user: {info.get("user", "postgres")}
  password: "{info.get("password", "")}"
  sslmode: disable
entity_key_serialization_version: 3
""")
    types = {"float64": Float64, "float32": Float32, "int64": Int64, "int32": Int32, "string": String,
             "bool": Bool, "timestamp": UnixTimestamp}
    entities = {"driver": Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64),
                "customer": Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)}
    objects = list(entities.values())
    for view, (table, key, entity, ttl, created, features) in VIEWS.items():
        source = PostgreSQLSource(name=table, query=f"SELECT * FROM {table}", timestamp_field="event_timestamp",
                                  created_timestamp_column=created or "")
        objects += [source, FeatureView(name=view, entities=[entities[entity]], ttl=timedelta(seconds=ttl), source=source,
                                        schema=[Field(name=n, dtype=types[k]) for n, k in features], online=False)]
    store = FeatureStore(repo_path=repo)
    store.apply(objects)
    return store.get_historical_features(entity_df=SPINE_QUERY, features=references(), full_feature_names=True).to_df()


def run_strata(strata, state_dir, strategy, work):
    out = os.path.join(work, f"strata-{strategy}.csv")
    subprocess.run([strata, "training-set", "--features", ",".join(references()), "--spine", SPINE_QUERY,
                    "--output", out, "--strategy", strategy, "--state-dir", state_dir],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out, newline="") as f:
        return {int(row["spine_id"]): row for row in csv.DictReader(f)}


def is_null(value):
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def normal(value, kind):
    """A value from Feast (pandas) or Strata (CSV text, "" for null) in one comparable form."""
    if isinstance(value, str):
        if value == "":
            return None
        if kind in ("float64",):
            return float(value)
        if kind == "float32":
            return float(np.float32(value))
        if kind in ("int64", "int32"):
            return int(value)
        if kind == "bool":
            return value.lower() in ("true", "1", "t")
        if kind == "timestamp":
            return pd.Timestamp(value).tz_convert("UTC").value // 1000 if pd.Timestamp(value).tzinfo else pd.Timestamp(value, tz="UTC").value // 1000
        return value
    if is_null(value):
        return None
    if kind == "float32":
        return float(np.float32(value))
    if kind == "float64":
        return float(value)
    if kind in ("int64", "int32"):
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "timestamp":
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")).value // 1000
    return str(value)


def compare(feast, other, label):
    """Mismatching cells between Feast's frame and another result keyed by spine_id."""
    mismatches, cells, shown = 0, 0, 0
    rows = {int(r["spine_id"]): r for r in feast.to_dict("records")}
    if set(rows) != set(other):
        print(f"  {label}: spine rows differ: {len(set(rows) ^ set(other))} ids in one result only")
        return None
    for spine_id, row in rows.items():
        for column, kind in columns():
            cells += 1
            a, b = normal(row.get(column), kind), normal(other[spine_id].get(column, ""), kind)
            if a != b:
                mismatches += 1
                if shown < 3 and label.startswith("strata"):
                    print(f"  {label}: spine_id {spine_id} {column}: Feast {a!r}, other {b!r}")
                    shown += 1
    return mismatches, cells


def wrong_join(conn, mistake):
    """A LATERAL join with one deliberate mistake, as rows keyed by spine_id with CSV-like text values."""
    selects, joins = [], []
    for v, (view, (table, key, _, ttl, created, features)) in enumerate(VIEWS.items()):
        conditions = [f"t.{key} = s.{key}"]
        conditions.append("t.event_timestamp <= s.event_timestamp")
        if ttl:
            op = ">" if mistake == "exclusive ttl bound" else ">="
            conditions.append(f"t.event_timestamp {op} s.event_timestamp - interval '{ttl} seconds'")
        order = ["t.event_timestamp DESC"]
        if created:
            if mistake != "null created rows are candidates":
                conditions.append(f"t.{created} IS NOT NULL")
            if mistake == "created compared with the spine time":
                conditions.append(f"(t.{created} <= s.event_timestamp)")
            order.append(f"t.{created} {'ASC' if mistake == 'oldest created wins' else 'DESC NULLS FIRST'}")
        selects += [f"v{v}.{name}::text AS {view}__{name}" for name, _ in features]
        joins.append(f"LEFT JOIN LATERAL (SELECT {', '.join('t.' + n for n, _ in features)} FROM {table} t "
                     f"WHERE {' AND '.join(conditions)} ORDER BY {', '.join(order)} LIMIT 1) v{v} ON true")
    sql = f"SELECT s.spine_id, {', '.join(selects)} FROM feast_spine s {' '.join(joins)}"
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute(sql)
        names = [d.name for d in cur.description]
        result = {}
        for values in cur.fetchall():
            row = {n: ("" if v is None else v) for n, v in zip(names, values)}
            row = {n: ({"t": "true", "f": "false"}.get(v, v) if n == "driver_quality__verified" else v) for n, v in row.items()}
            result[int(row["spine_id"])] = row
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strata", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    services = json.loads(subprocess.run([args.strata, "up", "--state-dir", args.state_dir, "--json"],
                                         check=True, capture_output=True, text=True).stdout)
    url = services["postgres"]["url"]
    with psycopg.connect(url) as conn:
        spine = prepare(conn)
        total = sum(n for _, n in spine)
        print(f"spine: {total} rows")
        for why, n in spine:
            print(f"  {n:5d}  {why}")
        feast = run_feast(url, args.work)
        ok = True
        for strategy in STRATEGIES:
            result = compare(feast, run_strata(args.strata, args.state_dir, strategy, args.work), f"strata {strategy}")
            if result is None:
                ok = False
                continue
            print(f"strata --strategy {strategy}: {result[0]} mismatching cells of {result[1]}")
            ok = ok and result[0] == 0
        control = compare(feast, wrong_join(conn, "none"), "hand-written LATERAL without a mistake")
        print(f"hand-written LATERAL without a mistake (control): {control[0] if control else '?'} mismatching cells against Feast")
        ok = ok and control is not None and control[0] == 0
        for mistake in ["exclusive ttl bound", "oldest created wins", "created compared with the spine time",
                        "null created rows are candidates"]:
            result = compare(feast, wrong_join(conn, mistake), f"wrong join: {mistake}")
            print(f"deliberately wrong join ({mistake}): {result[0] if result else '?'} mismatching cells against Feast")
            ok = ok and result is not None and result[0] > 0
    print("feast-check: " + ("Strata equals Feast 0.67 on every cell, and every wrong join differs" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
