"""A throwaway Spark Connect server from the pyspark wheel, for tests and benchmarks.

``SparkConnectServer`` starts ``SparkConnectServer`` (the jar ships in pyspark 4) with ``spark-submit``
on a free loopback port: master ``local[2]``, two shuffle partitions, no UI, 768 MB of driver memory,
a warehouse folder in a temporary directory and the session time zone UTC. Clients connect with
``SparkWarehouse(server.url)``. ``load_duckdb`` copies a DuckDB file's tables into it through Parquet
files (DuckDB writes them, Spark registers them as tables), so nothing leaves the machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from metricmind.testing.postgres import free_port


def spark_home() -> Path | None:
    """The pyspark package folder (it holds ``bin/spark-submit`` and the jars), or ``None``."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        return None
    home = Path(spec.origin).parent
    return home if (home / "bin" / "spark-submit").exists() else None


def missing() -> str | None:
    """Why a local Spark cannot start here (no Java, no pyspark, no Connect client), or ``None``."""
    if shutil.which("java") is None:
        return "Java is not installed (apt-get install default-jre-headless)"
    if spark_home() is None:
        return "pyspark is not installed (pip install 'metricmind[spark]')"
    for module in ("grpc", "pyarrow", "pandas", "google.rpc", "zstandard"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            return f"the Spark Connect client needs {module} (pip install 'metricmind[spark]')"
    return None


class SparkConnectServer:
    """Start with ``with SparkConnectServer() as spark: spark.url`` (an ``sc://127.0.0.1:port`` URL)."""

    def __init__(self, memory: str = "768m", cores: int = 2, startup_timeout: float = 180.0) -> None:
        home = spark_home()
        if home is None:
            raise RuntimeError("pyspark is not installed: pip install 'metricmind[spark]'")
        self.home = home
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="metricmind-spark-"))
        self.memory = memory
        self.cores = cores
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The Spark Connect URL clients use."""
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """The server's stdout and stderr."""
        return self.root / "server.log"

    def start(self) -> SparkConnectServer:
        """Launch the server and wait until its gRPC port accepts connections."""
        conf = {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.warehouse.dir": str(self.root / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={self.root} -XX:+UseSerialGC",
        }
        args = [str(self.home / "bin" / "spark-submit"), "--master", f"local[{self.cores}]"]
        args += [
            "--driver-memory",
            self.memory,
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
        ]
        for key, value in conf.items():
            args += ["--conf", f"{key}={value}"]
        args.append("spark-internal")
        env = {**os.environ, "SPARK_HOME": str(self.home), "SPARK_LOCAL_IP": "127.0.0.1"}
        env.pop("PYSPARK_SUBMIT_ARGS", None)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=self.root, start_new_session=True
            )
        deadline = time.monotonic() + self.startup_timeout
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"the Spark Connect server did not start:\n{tail}")
            time.sleep(0.25)
        return self

    def stop(self) -> None:
        """Stop the server (its whole process group) and remove its files."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> SparkConnectServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def load_duckdb(duckdb_path: Path, url: str, folder: Path, schemas: tuple[str, ...] = ("main",)) -> list[str]:
    """Copy every table of ``schemas`` from a DuckDB file into the Spark at ``url`` as Parquet-backed
    tables with the same schema, table and column names; returns the tables copied.

    DuckDB writes one Parquet file per table into ``folder`` (which the Spark server must be able to
    read: the same machine); Spark registers each with ``CREATE TABLE … USING parquet LOCATION``.
    """
    import duckdb

    from metricmind.warehouse.spark import SparkWarehouse

    copied: list[str] = []
    source = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        tables = source.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        with SparkWarehouse(url) as spark:
            for schema, name in tables:
                if schema not in schemas:
                    continue
                target = folder / schema / name
                target.mkdir(parents=True, exist_ok=True)
                columns = source.execute(f'describe "{schema}"."{name}"').fetchall()
                select = ", ".join(_as_spark_type(str(c[0]), str(c[1])) for c in columns)
                path = str(target / "data.parquet").replace("'", "''")
                source.execute(
                    f'copy (select {select} from "{schema}"."{name}") to \'{path}\' (format parquet)'
                )
                spark.execute(f"create schema if not exists `{schema}`")
                spark.execute(f"drop table if exists `{schema}`.`{name}`")
                spark.execute(f"create table `{schema}`.`{name}` using parquet location '{target}'")
                copied.append(f"{schema}.{name}")
    finally:
        source.close()
    return copied


def _as_spark_type(column: str, duckdb_type: str) -> str:
    """A select item that gives ``column`` a Parquet type Spark reads as the same SQL type."""
    quoted = '"' + column.replace('"', '""') + '"'
    t = duckdb_type.upper()
    if t == "HUGEINT":
        return f"cast({quoted} as decimal(38, 0)) as {quoted}"
    if t in {"UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}:
        return f"cast({quoted} as bigint) as {quoted}"
    if t == "TIMESTAMP WITH TIME ZONE":
        return f"cast({quoted} as timestamp) as {quoted}"
    return quoted
