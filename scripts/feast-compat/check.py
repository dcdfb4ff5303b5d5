"""Feast 0.67's Python SDK against `strata serve`: the same values as `strata online`.

Run by ./run (which starts the server); not part of CI. Configures a Feast FeatureStore with
`online_store: {type: remote, path: URL}` and compares what `store.get_online_features(...)` returns
with what `strata online` prints, value by value (types included: a float64 must come back a float,
an int64 an int) and status by status, for feature references, a feature service and full feature
names. Then writes rows through the SDK's remote store (`/write-to-online-store`) and reads them back.
Exit status 0 when everything matches, 1 otherwise.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

from feast import FeatureService, FeatureStore
from feast.protos.feast.serving.ServingService_pb2 import FieldStatus
from feast.repo_config import RepoConfig

STATUS = {FieldStatus.PRESENT: "PRESENT", FieldStatus.NULL_VALUE: "NULL_VALUE",
          FieldStatus.NOT_FOUND: "NOT_FOUND", FieldStatus.OUTSIDE_MAX_AGE: "OUTSIDE_MAX_AGE"}

DRIVER_FEATURES = ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate",
                   "driver_hourly_stats:avg_daily_trips", "driver_quality:rating", "driver_quality:verified",
                   "driver_quality:vehicle_class", "driver_quality:last_inspection"]
CUSTOMER_FEATURES = ["customer_profile:current_balance", "customer_profile:avg_passenger_count",
                     "customer_profile:lifetime_trip_count", "customer_profile:segment"]


def strata_online(args, features, rows, service=None, full=False):
    command = [args.strata, "online", "--state-dir", args.state_dir]
    command += ["--service", service] if service else ["--features", ",".join(features)]
    for row in rows:
        command += ["--entity", ",".join(f"{k}={v}" for k, v in row.items())]
    if full:
        command.append("--full-feature-names")
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def compare(label, expected, response):
    """Compares strata online's JSON with the SDK's OnlineResponse; returns the number of mismatches."""
    proto = response.proto
    names = list(proto.metadata.feature_names.val)
    problems = 0
    if names != expected["metadata"]["feature_names"]:
        print(f"{label}: names differ: {names} != {expected['metadata']['feature_names']}")
        return 1
    values = response.to_dict()
    checked = 0
    for index, name in enumerate(names):
        want = expected["results"][index]
        got_values = values[name]
        got_statuses = [STATUS.get(s, str(s)) for s in proto.results[index].statuses]
        if got_statuses != want["statuses"]:
            print(f"{label}: {name} statuses {got_statuses} != {want['statuses']}")
            problems += 1
        for row, (got, wanted) in enumerate(zip(got_values, want["values"])):
            checked += 1
            if got != wanted or type(got) is not type(wanted):
                print(f"{label}: {name}[{row}] = {got!r} ({type(got).__name__}), strata online: {wanted!r} ({type(wanted).__name__})")
                problems += 1
    print(f"{label}: {len(names)} columns, {checked} values compared, {problems} mismatches")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--strata", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--drivers", type=int, default=50)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="feast-compat-")
    config = RepoConfig(
        project="rides", registry=f"{folder}/registry.db", provider="local",
        online_store={"type": "remote", "path": args.url}, entity_key_serialization_version=3)
    store = FeatureStore(config=config)

    # Drivers 1001... exist; 999 and 5000 do not (NOT_FOUND), customers likewise.
    drivers = [999] + list(range(1001, 1001 + args.drivers)) + [5000]
    customers = [50_000] + list(range(50_001, 50_001 + args.drivers)) + [90_000]
    problems = 0

    rows = [{"driver_id": d} for d in drivers]
    response = store.get_online_features(features=DRIVER_FEATURES, entity_rows=rows)
    problems += compare("driver features", strata_online(args, DRIVER_FEATURES, rows), response)

    rows = [{"customer_id": c} for c in customers]
    response = store.get_online_features(features=CUSTOMER_FEATURES, entity_rows=rows, full_feature_names=True)
    problems += compare("customer features, full names", strata_online(args, CUSTOMER_FEATURES, rows, full=True), response)

    rows = [{"driver_id": d, "customer_id": c} for d, c in zip(drivers, customers)]
    service = FeatureService(name="driver_ranking", features=[])
    response = store.get_online_features(features=service, entity_rows=rows)
    problems += compare("feature service driver_ranking", strata_online(args, [], rows, service="driver_ranking"), response)

    # Writing through the SDK's remote online store: online_write_batch posts /write-to-online-store.
    from feast import Entity, FeatureView, Field, FileSource
    from feast.types import Float32, Float64, Int64
    from feast.protos.feast.types.EntityKey_pb2 import EntityKey
    from feast.protos.feast.types.Value_pb2 import Value
    source = FileSource(path=f"{folder}/unused.parquet", timestamp_field="event_timestamp", created_timestamp_column="created")
    view = FeatureView(
        name="driver_hourly_stats", entities=[Entity(name="driver", join_keys=["driver_id"])], source=source,
        schema=[Field(name="conv_rate", dtype=Float64), Field(name="acc_rate", dtype=Float32),
                Field(name="avg_daily_trips", dtype=Int64)])
    now = datetime.now(timezone.utc)
    written = {1001: (0.25, 0.5, 7), 1002: (2.0, 0.75, 8)}
    batch = []
    for driver, (conv, acc, trips) in written.items():
        key = EntityKey(join_keys=["driver_id"], entity_values=[Value(int64_val=driver)])
        batch.append((key, {"conv_rate": Value(double_val=conv), "acc_rate": Value(float_val=acc),
                            "avg_daily_trips": Value(int64_val=trips)}, now, now))
    store._get_provider().online_write_batch(config, view, batch, None)
    rows = [{"driver_id": d} for d in written]
    response = store.get_online_features(features=DRIVER_FEATURES[:3], entity_rows=rows)
    values = response.to_dict()
    got = {d: (values["conv_rate"][i], values["acc_rate"][i], values["avg_daily_trips"][i]) for i, d in enumerate(written)}
    if got != written or type(values["conv_rate"][1]) is not float:
        print(f"write-to-online-store: read back {got}, wrote {written}")
        problems += 1
    else:
        print(f"write-to-online-store: {len(written)} rows written through the SDK and read back equal (2.0 stays a float)")
    problems += compare("after the write", strata_online(args, DRIVER_FEATURES[:3], rows), response)

    print("OK: Feast 0.67's SDK reads the same values as strata online" if problems == 0 else f"FAILED: {problems} mismatches")
    sys.exit(0 if problems == 0 else 1)


if __name__ == "__main__":
    main()
