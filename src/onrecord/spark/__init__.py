"""onrecord on Apache Spark: `onrecord spark` (job.py) runs the extraction in Spark executors and writes
the tables of corpus/tables.py as Parquet datasets, with speakers across articles resolved by the store's
rule (speakers.py); `onrecord ingest --from-parquet` loads them into the
SQLite store. PySpark is an optional extra: pip install 'onrecord[spark]'. docs/scale.md."""
