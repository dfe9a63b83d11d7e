"""A throwaway Redis Cluster for the cluster tests: three masters and three replicas, each a
`redis-server` on a free loopback port, joined with `redis-cli --cluster create`."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.redis_server import BUS_OFFSET, INSTALL_HINT, free_port

# Small, so a killed master's replica takes over within a couple of seconds.
NODE_TIMEOUT_MS = 1000
NODES = 6


@dataclass
class LocalCluster:
    ports: list[int]
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    folder: Path = Path()

    @property
    def url(self) -> str:
        """Any node names the cluster; the client discovers the rest."""
        return f"redis://127.0.0.1:{self.alive_ports()[0]}/0"

    def alive_ports(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.poll() is None]

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, decode_responses=True)

    def info(self, port: int) -> str:
        return str(self.client(port).execute_command("CLUSTER", "INFO"))

    def masters(self) -> list[int]:
        """Ports of the masters serving slots, as a living node sees them."""
        nodes = str(self.client(self.alive_ports()[0]).execute_command("CLUSTER", "NODES"))
        found = []
        for line in nodes.splitlines():
            parts = line.split()
            if "master" in parts[2] and "fail" not in parts[2] and len(parts) > 8:
                found.append(int(parts[1].split("@")[0].rsplit(":", 1)[1]))
        return sorted(found)

    def master_of(self, key: str) -> int:
        slot = int(self.client(self.alive_ports()[0]).execute_command("CLUSTER", "KEYSLOT", key))
        for start, end, master, *_ in self.client(self.alive_ports()[0]).execute_command(
            "CLUSTER", "SLOTS"
        ):
            if int(start) <= slot <= int(end):
                return int(master[1])
        raise LookupError(f"no master serves slot {slot}")

    def kill(self, port: int) -> None:
        """SIGKILL a node, as a crash would."""
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def restart(self, port: int) -> None:
        """Start a killed node again: it rejoins the cluster (as a replica once failed over)."""
        self.processes[port] = _start_node(self.folder, port)
        self.wait_ok()
        _wait_replicas(self)

    def wait_ok(self, timeout: float = 30) -> None:
        """Until every living node says the cluster serves all its slots."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if all("cluster_state:ok" in self.info(port) for port in self.alive_ports()):
                    return
            except (redis.RedisError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.1)


def _free_ports(count: int) -> list[int]:
    """Distinct loopback ports whose cluster bus ports are free too."""
    chosen: list[int] = []
    while len(chosen) < count:
        port = free_port(also_free=BUS_OFFSET)
        if port not in chosen:
            chosen.append(port)
    return chosen


def _start_node(folder: Path, port: int) -> subprocess.Popen[bytes]:
    node = folder / str(port)
    node.mkdir(exist_ok=True)
    return subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(node / "nodes.conf"),
            "--cluster-node-timeout",
            str(NODE_TIMEOUT_MS),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(node),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def own_redis_cluster() -> Iterator[LocalCluster]:
    """Six nodes (three masters, each with a replica) on loopback, stopped and removed on exit."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        raise FileNotFoundError(INSTALL_HINT)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cluster = LocalCluster(ports=_free_ports(NODES), folder=folder)
        try:
            for port in cluster.ports:
                cluster.processes[port] = _start_node(folder, port)
            for port in cluster.ports:
                _wait_ping(cluster, port)
            created = subprocess.run(
                [
                    "redis-cli",
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{port}" for port in cluster.ports),
                    "--cluster-replicas",
                    "1",
                    "--cluster-yes",
                ],
                capture_output=True,
                timeout=60,
            )
            if created.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout!r}")
            cluster.wait_ok()
            _wait_replicas(cluster)
            yield cluster
        finally:
            for process in cluster.processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in cluster.processes.values():
                process.wait(timeout=10)


def _wait_ping(cluster: LocalCluster, port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            if cluster.client(port).ping():
                return
        except (redis.RedisError, OSError):
            pass
        if cluster.processes[port].poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not start on port {port}")
        time.sleep(0.05)


def _wait_replicas(cluster: LocalCluster, timeout: float = 30) -> None:
    """Until each master has a replica in sync, so that a killed master can fail over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        synced = 0
        for port in cluster.masters():
            info = str(cluster.client(port).info("replication"))
            replication = cluster.client(port).info("replication")
            if int(replication.get("connected_slaves", 0)) >= 1 and "online" in info:
                synced += 1
        if synced == len(cluster.masters()) == NODES // 2:
            return
        time.sleep(0.1)
    raise RuntimeError("the Redis Cluster's replicas did not come in sync")
