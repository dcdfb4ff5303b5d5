/// The ride-hailing example's schema (`schemas/rides.yaml`), carried in the binary so that `strata demo`
/// runs from any folder; a test keeps it equal to the file.
public enum ExampleSchema {
    /// The name of the file it is a copy of.
    public static let fileName = "schemas/rides.yaml"

    /// The file's text.
    public static let text = #"""
        # A ride-hailing example: drivers and customers, three feature views, an aggregation view over trips
        # (docs/aggregations.md), one feature service.
        # Fill its source tables with `strata demo` (or `strata demo --drivers 10000 --days 30` for a large set).
        project: rides

        entities:
          - name: driver
            join_key: driver_id
            type: int64
            description: A driver on the platform.
          - name: customer
            join_key: customer_id
            type: int64
            description: A rider.

        sources:
          - name: driver_hourly_stats
            table: driver_hourly_stats
            timestamp: event_timestamp
            created_timestamp: created
          - name: customer_daily_profile
            table: customer_daily_profile
            timestamp: event_timestamp
            created_timestamp: created
          - name: driver_quality
            table: driver_quality
            timestamp: event_timestamp
          - name: trips
            table: trips
            timestamp: event_timestamp

        feature_views:
          - name: driver_hourly_stats
            description: Hourly activity of each driver.
            entities: [driver]
            source: driver_hourly_stats
            ttl: 2d
            online_expiry: 7d
            features:
              - { name: conv_rate, type: float64 }
              - { name: acc_rate, type: float32 }
              - { name: avg_daily_trips, type: int64, drift: { method: psi, threshold: 0.2 } }
          - name: customer_profile
            description: Daily snapshot of each customer.
            entities: [customer]
            source: customer_daily_profile
            ttl: 30d
            features:
              - { name: current_balance, type: float64 }
              - { name: avg_passenger_count, type: float32 }
              - { name: lifetime_trip_count, type: int32 }
              - { name: segment, type: string }
          - name: driver_quality
            description: Sparse quality reviews; a review stays valid until the next one.
            entities: [driver]
            source: driver_quality
            ttl: 0
            features:
              - { name: rating, type: float64 }
              - { name: verified, type: bool }
              - { name: vehicle_class, type: string }
              - { name: last_inspection, type: timestamp }

          - name: driver_trips
            description: What each driver's recent trips add up to; windows slide in hops of an hour.
            entities: [driver]
            source: trips
            hop: 1h
            aggregations:
              - { name: trips_1h, column: "*", function: count, window: 1h }
              - { name: trips_1d, column: "*", function: count, window: 1d }
              - { name: trips_7d, column: "*", function: count, window: 7d }
              - { name: fare_sum_1h, column: fare, function: sum, window: 1h }
              - { name: fare_sum_1d, column: fare, function: sum, window: 1d }
              - { name: fare_sum_7d, column: fare, function: sum, window: 7d }
              - { name: fare_mean_1h, column: fare, function: mean, window: 1h }
              - { name: fare_mean_1d, column: fare, function: mean, window: 1d }
              - { name: fare_mean_7d, column: fare, function: mean, window: 7d }
              - { name: fare_max_1h, column: fare, function: max, window: 1h }
              - { name: fare_max_1d, column: fare, function: max, window: 1d }
              - { name: fare_max_7d, column: fare, function: max, window: 7d }
              - { name: distance_stddev_7d, column: distance_km, function: stddev, window: 7d }
              - { name: last_fare, column: fare, function: last, window: 7d }

        feature_services:
          - name: driver_ranking
            description: What the ride-matching model reads for a (driver, customer) pair.
            features:
              - driver_hourly_stats:conv_rate
              - driver_hourly_stats:acc_rate
              - driver_hourly_stats:avg_daily_trips
              - customer_profile:current_balance
              - customer_profile:avg_passenger_count
              - customer_profile:lifetime_trip_count
              - driver_quality:rating
              - driver_quality:verified
              - driver_trips:trips_7d
              - driver_trips:fare_mean_1d

        """#
}
