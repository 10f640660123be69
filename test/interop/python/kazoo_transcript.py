"""kazoo_transcript: drives kazoo (Debian's python3-kazoo) through every operation it
supports and its recipes, printing a transcript that does not depend on which server
answered: session ids become <A>/<B>, times become "t"; zxids, versions, error classes
and event sequences are printed as they are. test/interop/kazoo.test.ts runs it against
Apache ZooKeeper 3.8 and against our server and compares the transcripts.

Usage: /usr/bin/python3 kazoo_transcript.py host:port
"""
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.protocol.states import KazooState
from kazoo.recipe.barrier import Barrier, DoubleBarrier
from kazoo.recipe.counter import Counter
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock, ReadLock, Semaphore, WriteLock
from kazoo.recipe.party import Party, ShallowParty
from kazoo.recipe.queue import LockingQueue, Queue
from kazoo.recipe.watchers import ChildrenWatch, DataWatch
from kazoo.security import make_digest_acl, make_acl, OPEN_ACL_UNSAFE

HOSTS = sys.argv[1]
SESSIONS = []


def line(s):
    print(s, flush=True)


def session(sid):
    return "<%s>" % "AB"[SESSIONS.index(sid)] if sid in SESSIONS else hex(sid)


def stat(s):
    if s is None:
        return "None"
    owner = session(s.ephemeralOwner) if s.ephemeralOwner in SESSIONS else hex(s.ephemeralOwner)
    return ("{czxid=%#x mzxid=%#x pzxid=%#x ctime=%s mtime=%s version=%d cversion=%d aversion=%d "
            "owner=%s dataLength=%d numChildren=%d}" % (
                s.czxid, s.mzxid, s.pzxid, "0" if s.ctime == 0 else "t", "0" if s.mtime == 0 else "t",
                s.version, s.cversion, s.aversion, owner, s.dataLength, s.numChildren))


def show(v):
    if hasattr(v, "czxid"):
        return stat(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(show(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(show(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (k, show(v[k])) for k in sorted(v)) + "}"
    if isinstance(v, Exception):
        return type(v).__name__
    if hasattr(v, "perms") and hasattr(v, "id"):
        return "%s:%s:%d" % (v.id.scheme, v.id.id, v.perms)
    return repr(v)


def step(label, fn):
    try:
        out = show(fn())
    except KazooException as e:
        out = "raised " + type(e).__name__
    except Exception as e:  # a client-side check (ValueError, TypeError) is part of the transcript
        out = "raised " + type(e).__name__ + ": " + str(e)
    line("%s -> %s" % (label, out))


class Recorder:
    """Collects callback arguments; `wait(n)` blocks until n calls have arrived."""

    def __init__(self, name):
        self.name = name
        self.calls = []
        self.cond = threading.Condition()

    def __call__(self, *args):
        with self.cond:
            self.calls.append(args)
            self.cond.notify_all()

    def wait(self, n, timeout=10):
        deadline = time.time() + timeout
        with self.cond:
            while len(self.calls) < n and time.time() < deadline:
                self.cond.wait(deadline - time.time())

    def show(self, fmt):
        line("%s: %s" % (self.name, [fmt(*c) for c in self.calls]))


def event(e):
    return "%s:%s:%s" % (e.type, e.state, e.path)


def connect():
    zk = KazooClient(hosts=HOSTS, timeout=30.0)
    zk.start(timeout=30)
    SESSIONS.append(zk.client_id[0])
    return zk


a = connect()
b = connect()
line("connected: %s %s" % (session(a.client_id[0]), session(b.client_id[0])))
step("server_version (envi)", a.server_version)
step("command ruok", lambda: a.command(b"ruok"))

# create in its forms
step("create", lambda: a.create("/k", b"root"))
step("create ephemeral", lambda: a.create("/k/e", b"eph", ephemeral=True))
step("create sequence", lambda: a.create("/k/s-", b"seq", sequence=True))
step("create ephemeral sequence", lambda: a.create("/k/es-", ephemeral=True, sequence=True))
step("create makepath", lambda: a.create("/k/deep/er/node", b"x", makepath=True))
step("create include_data (create2)", lambda: a.create("/k/c2", b"v", include_data=True))
step("create exists", lambda: a.create("/k/e", b""))
step("create no parent", lambda: a.create("/k/none/x"))
step("create under ephemeral", lambda: a.create("/k/e/x"))
step("create bad path", lambda: a.create("k/rel"))
step("create non-bytes", lambda: a.create("/k/str", "text"))
step("ensure_path", lambda: a.ensure_path("/k/ensure/a/b"))
step("ensure_path again", lambda: a.ensure_path("/k/ensure/a/b"))

# reads
step("exists", lambda: a.exists("/k/e"))
step("exists missing", lambda: a.exists("/k/missing"))
step("get", lambda: a.get("/k/s-0000000001"))
step("get empty", lambda: a.get("/k/ensure"))
step("get missing", lambda: a.get("/k/missing"))
step("get_children", lambda: sorted(a.get_children("/k")))
step("get_children include_data", lambda: (lambda r: (sorted(r[0]), r[1]))(a.get_children("/k", include_data=True)))
step("get_children missing", lambda: a.get_children("/k/missing"))
step("get_acls", lambda: a.get_acls("/k"))

# writes
step("set", lambda: a.set("/k/c2", b"v2"))
step("set version", lambda: a.set("/k/c2", b"v3", version=1))
step("set bad version", lambda: a.set("/k/c2", b"v4", version=9))
step("set missing", lambda: a.set("/k/missing", b"x"))
step("delete not empty", lambda: a.delete("/k/deep"))
step("delete bad version", lambda: a.delete("/k/c2", version=7))
step("delete recursive", lambda: a.delete("/k/deep", recursive=True))
step("delete missing", lambda: a.delete("/k/missing"))
step("exists after recursive delete", lambda: a.exists("/k/deep"))
step("sync", lambda: a.sync("/k"))

# transactions
def txn_ok():
    t = a.transaction()
    t.create("/k/t1", b"1")
    t.create("/k/ts-", b"2", sequence=True)
    t.set_data("/k/t1", b"3")
    t.check("/k/t1", 1)
    t.delete("/k/c2")
    return t.commit()


def txn_fail():
    t = a.transaction()
    t.create("/k/t2", b"1")
    t.set_data("/k/t1", b"x", version=0)
    t.delete("/k/t1")
    return t.commit()


def txn_check_missing():
    t = a.transaction()
    t.check("/k/missing", 0)
    t.create("/k/t3")
    return t.commit()


step("transaction", txn_ok)
step("transaction with a failing op", txn_fail)
step("transaction failing check", txn_check_missing)
step("nothing of the failed transaction", lambda: a.exists("/k/t2"))

# ACLs and auth
alice = make_digest_acl("alice", "pw", all=True)
world_read = make_acl("world", "anyone", read=True)
local_ip = make_acl("ip", "127.0.0.1", read=True, write=True)
step("create with digest ACL", lambda: a.create("/k/secret", b"s", acl=[alice, world_read]))
step("get_acls digest", lambda: a.get_acls("/k/secret"))
step("set NoAuth", lambda: a.set("/k/secret", b"x"))
step("set_acls NoAuth", lambda: a.set_acls("/k/secret", OPEN_ACL_UNSAFE))
step("add_auth digest", lambda: a.add_auth("digest", "alice:pw"))
step("set as alice", lambda: a.set("/k/secret", b"x"))
step("set_acls ip", lambda: a.set_acls("/k/secret", [alice, local_ip]))
step("set_acls bad version", lambda: a.set_acls("/k/secret", [alice], version=0))
step("get_acls after", lambda: a.get_acls("/k/secret"))
step("b get by ip", lambda: b.get("/k/secret"))
step("set_acls invalid", lambda: a.set_acls("/k/secret", [make_acl("nosuch", "x", all=True)]))
# kazoo's CREATOR_ALL_ACL: Id("auth", ""), and kazoo writes "" as a null string (-1).
step("create with auth ACL", lambda: a.create("/k/mine", acl=[make_acl("auth", "", all=True)]))
step("b get auth ACL", lambda: b.get("/k/mine"))
step("get_acls auth ACL", lambda: a.get_acls("/k/mine"))
step("delete auth ACL node", lambda: a.delete("/k/mine"))

# watches: plain, DataWatch, ChildrenWatch
plain = Recorder("plain")
step("exists watch", lambda: a.exists("/k/w", watch=plain))
step("get_children watch", lambda: a.get_children("/k/ensure", watch=plain))
step("b create /k/w", lambda: b.create("/k/w", b"0"))
step("b create /k/ensure/c", lambda: b.create("/k/ensure/c"))
plain.wait(2)
step("get watch", lambda: a.get("/k/w", watch=plain))
step("b delete /k/w", lambda: b.delete("/k/w"))
plain.wait(3)
plain.show(lambda e: event(e))

data = Recorder("DataWatch")
DataWatch(a, "/k/dw", data)
data.wait(1)
for i, v in enumerate([b"a", b"b"]):
    if i == 0:
        step("b create /k/dw", lambda: b.create("/k/dw", v))
    else:
        step("b set /k/dw", lambda: b.set("/k/dw", v))
    data.wait(i + 2)
step("b delete /k/dw", lambda: b.delete("/k/dw"))
data.wait(4)
data.show(lambda d, s, e=None: "%s %s %s" % (show(d), stat(s), event(e) if e else None))

children = Recorder("ChildrenWatch")
step("create /k/cw", lambda: a.create("/k/cw"))
ChildrenWatch(a, "/k/cw", children, send_event=True)
children.wait(1)
for i, name in enumerate(["x", "y"]):
    step("b create /k/cw/" + name, lambda: b.create("/k/cw/" + name))
    children.wait(i + 2)
step("b delete /k/cw/x", lambda: b.delete("/k/cw/x"))
children.wait(4)
children.show(lambda c, e=None: "%s %s" % (sorted(c), event(e) if e else None))

# recipes
lock = Lock(a, "/k/lock", "a")
lock_b = Lock(b, "/k/lock", "b")
step("Lock acquire", lambda: lock.acquire(timeout=5))
step("Lock contenders", lambda: lock.contenders())
step("Lock other client times out", lambda: lock_b.acquire(timeout=0.5))
step("Lock release", lambda: lock.release())
step("Lock other client acquires", lambda: lock_b.acquire(timeout=5))
step("Lock other client releases", lambda: lock_b.release())
step("lock nodes left", lambda: a.get_children("/k/lock"))

rl, wl = ReadLock(a, "/k/rw", "r"), WriteLock(b, "/k/rw", "w")
step("ReadLock acquire", lambda: rl.acquire(timeout=5))
step("WriteLock blocked by reader", lambda: wl.acquire(timeout=0.5))
step("ReadLock release", lambda: rl.release())
step("WriteLock acquire", lambda: wl.acquire(timeout=5))
step("WriteLock release", lambda: wl.release())

sem = Semaphore(a, "/k/sem", "a", max_leases=1)
sem_b = Semaphore(b, "/k/sem", "b", max_leases=1)
step("Semaphore acquire", lambda: sem.acquire(timeout=5))
step("Semaphore lease_holders", lambda: sem.lease_holders())
step("Semaphore second blocked", lambda: sem_b.acquire(timeout=0.5))
step("Semaphore release", lambda: sem.release())

leader = []
election = Election(a, "/k/election", "a")
step("Election run", lambda: election.run(lambda: leader.append("a")) or leader)
step("Election contenders after", lambda: election.contenders())

counter = Counter(a, "/k/counter")
counter_b = Counter(b, "/k/counter")
step("Counter + 5", lambda: (counter + 5).value)
step("Counter other client - 2", lambda: (counter_b - 2).value)
step("Counter value", lambda: counter.value)
step("Counter data", lambda: a.get("/k/counter")[0])
fcounter = Counter(a, "/k/fcounter", default=0.5)
step("Counter float", lambda: (fcounter + 1.25).value)

queue = Queue(a, "/k/queue")
step("Queue put", lambda: [queue.put(b"one"), queue.put(b"two"), queue.put(b"urgent", priority=1)])
step("Queue len", lambda: len(queue))
step("Queue get x3", lambda: [queue.get(), queue.get(), queue.get()])
step("Queue get empty", lambda: queue.get())

lq = LockingQueue(a, "/k/lqueue")
step("LockingQueue put_all", lambda: lq.put_all([b"p", b"q"]))
step("LockingQueue get", lambda: lq.get(timeout=5))
step("LockingQueue holds_lock", lambda: lq.holds_lock())
step("LockingQueue consume", lambda: lq.consume())
step("LockingQueue get again", lambda: lq.get(timeout=5))
step("LockingQueue release", lambda: lq.release())
step("LockingQueue len", lambda: len(lq))

barrier = Barrier(a, "/k/barrier")
step("Barrier create", lambda: barrier.create())
step("Barrier wait (held)", lambda: barrier.wait(timeout=0.5))
step("Barrier remove", lambda: barrier.remove())
step("Barrier wait (clear)", lambda: barrier.wait(timeout=5))

double = DoubleBarrier(a, "/k/double", 1, identifier="a")
step("DoubleBarrier enter", lambda: double.enter())
step("DoubleBarrier leave", lambda: double.leave())

party = Party(a, "/k/party", "a")
shallow = ShallowParty(b, "/k/shallow", "b")
step("Party join", lambda: party.join())
step("ShallowParty join", lambda: shallow.join())
step("Party members", lambda: list(party))
step("ShallowParty members", lambda: list(shallow))
step("Party leave", lambda: party.leave())
step("Party len", lambda: len(party))

# Not here: reconfig. Kazoo 2.8 does not know error -123 (RECONFIGDISABLED, what a
# standalone server answers) and its connection thread dies on it; the Java client's
# transcript covers reconfig.

# close: the session's ephemerals go
gone = Recorder("ephemeral gone")
step("b exists watch /k/e", lambda: b.exists("/k/e", watch=gone))
a.stop()
a.close()
gone.wait(1)
gone.show(lambda e: event(e))
step("children after close", lambda: sorted(b.get_children("/k")))
step("b delete recursive /k", lambda: b.delete("/k", recursive=True))
step("root after", lambda: sorted(b.get_children("/")))
b.stop()
b.close()
line("done")
