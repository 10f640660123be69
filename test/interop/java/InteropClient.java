// InteropClient: drives Apache ZooKeeper's Java client (3.8) through every request a 3.8
// client sends and prints a transcript that does not depend on which server answered:
// session ids become <A>/<B>/<C>, times become "t", everything else (zxids, versions,
// error codes, event order) is printed as is. test/interop/java-client.test.ts compiles
// this file with javac against /usr/share/java/zookeeper.jar, runs it against Apache
// ZooKeeper 3.8 and against our server, and compares the transcripts line by line.
//
// Usage: java InteropClient host:port
// Half way through it prints "@@RESTART", then waits for a line on stdin: the test restarts
// the server on the same port and data dir in between, and the transcript shows whether the
// sessions, their ephemerals and their watches came through.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public class InteropClient {
    interface Step {
        Object run() throws Exception;
    }

    interface VoidStep {
        void run() throws Exception;
    }

    /** Collects a client's events; `drain` prints those that arrived, waiting for `n` of them. */
    static final class Events implements Watcher {
        final String name;
        final LinkedBlockingQueue<WatchedEvent> queue = new LinkedBlockingQueue<>();

        Events(String name) {
            this.name = name;
        }

        @Override
        public void process(WatchedEvent e) {
            queue.add(e);
        }

        void drain(int n) throws InterruptedException {
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (got.size() < n) {
                WatchedEvent e = queue.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (e == null) {
                    break;
                }
                got.add(describe(e));
            }
            // Anything beyond n that is already here is printed too: extra events are a difference.
            Thread.sleep(50);
            WatchedEvent extra;
            while ((extra = queue.poll()) != null) {
                got.add(describe(extra));
            }
            line("events " + name + " (" + got.size() + "/" + n + "): " + got);
        }

        /** Waits for a given connection state, printing nothing (it is timing, not protocol). */
        void awaitState(KeeperState state) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            List<WatchedEvent> others = new ArrayList<>();
            while (System.currentTimeMillis() < deadline) {
                WatchedEvent e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                if (e.getType() == Watcher.Event.EventType.None && e.getState() == state) {
                    queue.addAll(others);
                    return;
                }
                if (e.getType() != Watcher.Event.EventType.None) {
                    others.add(e);
                }
            }
            throw new IllegalStateException(name + " never reached " + state);
        }
    }

    static final List<Long> sessions = new ArrayList<>();

    static void line(String s) {
        System.out.println(s);
        System.out.flush();
    }

    static String describe(WatchedEvent e) {
        return e.getType() + ":" + e.getState() + ":" + e.getPath();
    }

    static String session(long id) {
        int i = sessions.indexOf(id);
        return i < 0 ? String.format("0x%x", id) : "<" + (char) ('A' + i) + ">";
    }

    static String stat(Stat s) {
        if (s == null) {
            return "null";
        }
        long owner = s.getEphemeralOwner();
        // A TTL node's owner encodes its TTL and a container's is a marker: both print as is.
        String ownerText = sessions.contains(owner) ? session(owner) : String.format("0x%x", owner);
        return String.format(
            "{czxid=0x%x mzxid=0x%x pzxid=0x%x ctime=%s mtime=%s version=%d cversion=%d aversion=%d owner=%s dataLength=%d numChildren=%d}",
            s.getCzxid(), s.getMzxid(), s.getPzxid(), s.getCtime() == 0 ? "0" : "t", s.getMtime() == 0 ? "0" : "t",
            s.getVersion(), s.getCversion(), s.getAversion(), ownerText, s.getDataLength(), s.getNumChildren());
    }

    static String data(byte[] b) {
        return b == null ? "null" : "'" + new String(b, StandardCharsets.UTF_8) + "'";
    }

    static String acls(List<ACL> acl) {
        List<String> out = new ArrayList<>();
        for (ACL a : acl) {
            out.add(a.getId().getScheme() + ":" + a.getId().getId() + ":" + a.getPerms());
        }
        return out.toString();
    }

    static String result(OpResult r) {
        if (r instanceof OpResult.CreateResult) {
            OpResult.CreateResult c = (OpResult.CreateResult) r;
            return "create(" + c.getPath() + (c.getStat() == null ? "" : " " + stat(c.getStat())) + ")";
        } else if (r instanceof OpResult.DeleteResult) {
            return "delete";
        } else if (r instanceof OpResult.SetDataResult) {
            return "setData(" + stat(((OpResult.SetDataResult) r).getStat()) + ")";
        } else if (r instanceof OpResult.CheckResult) {
            return "check";
        } else if (r instanceof OpResult.GetChildrenResult) {
            List<String> c = new ArrayList<>(((OpResult.GetChildrenResult) r).getChildren());
            return "getChildren(" + c + ")";
        } else if (r instanceof OpResult.GetDataResult) {
            OpResult.GetDataResult g = (OpResult.GetDataResult) r;
            return "getData(" + data(g.getData()) + " " + stat(g.getStat()) + ")";
        } else if (r instanceof OpResult.ErrorResult) {
            return "error(" + KeeperException.Code.get(((OpResult.ErrorResult) r).getErr()) + ")";
        }
        return "?" + r;
    }

    static String show(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof Stat) {
            return stat((Stat) v);
        } else if (v instanceof byte[]) {
            return data((byte[]) v);
        } else if (v instanceof List) {
            List<String> parts = new ArrayList<>();
            for (Object o : (List<?>) v) {
                if (o instanceof OpResult) {
                    parts.add(result((OpResult) o));
                } else if (o instanceof ACL) {
                    return acls((List<ACL>) v);
                } else if (o instanceof ClientInfo) {
                    parts.add(((ClientInfo) o).getAuthScheme() + ":" + ((ClientInfo) o).getUser());
                } else {
                    parts.add(String.valueOf(o));
                }
            }
            return parts.toString();
        }
        return String.valueOf(v);
    }

    static void step(String label, Step s) {
        String out;
        try {
            out = show(s.run());
        } catch (KeeperException e) {
            out = "KeeperException " + e.code() + (e.getPath() == null ? "" : " " + e.getPath());
            if (e.getResults() != null) {
                List<String> rs = new ArrayList<>();
                for (OpResult r : e.getResults()) {
                    rs.add(result(r));
                }
                out += " results=" + rs;
            }
        } catch (Exception e) {
            out = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        line(label + " -> " + out);
    }

    /** A step whose call returns nothing: "ok" or its exception. */
    static void stepOk(String label, VoidStep s) {
        step(label, () -> {
            s.run();
            return "ok";
        });
    }

    static ZooKeeper connect(String cs, Events ev) throws Exception {
        ZooKeeper zk = new ZooKeeper(cs, 30_000, ev);
        ev.awaitState(KeeperState.SyncConnected);
        sessions.add(zk.getSessionId());
        return zk;
    }

    static String sync(ZooKeeper zk, String path) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        String[] out = new String[1];
        zk.sync(path, (rc, p, ctx) -> {
            out[0] = KeeperException.Code.get(rc) + " " + p;
            done.countDown();
        }, null);
        done.await(10, TimeUnit.SECONDS);
        return out[0];
    }

    static final byte[] B(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String cs = args[0];
        final List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        Events ev1 = new Events("zk1");
        Events ev2 = new Events("zk2");
        ZooKeeper zk1 = connect(cs, ev1);
        ZooKeeper zk2 = connect(cs, ev2);
        line("connected: " + session(zk1.getSessionId()) + " " + session(zk2.getSessionId())
            + " timeout=" + zk1.getSessionTimeout());

        // create, create2, createContainer, createTTL in every CreateMode
        step("create PERSISTENT", () -> zk1.create("/j", B("root"), open, CreateMode.PERSISTENT));
        for (CreateMode mode : CreateMode.values()) {
            String path = "/j/" + mode.name().toLowerCase();
            boolean ttl = mode.isTTL();
            step("create2 " + mode, () -> {
                Stat s = new Stat();
                String p = ttl ? zk1.create(path, B(mode.name()), open, mode, s, 60_000)
                    : zk1.create(path, B(mode.name()), open, mode, s);
                return p + " " + stat(s);
            });
        }
        step("create NODEEXISTS", () -> zk1.create("/j/persistent", null, open, CreateMode.PERSISTENT));
        step("create NONODE", () -> zk1.create("/j/nope/x", null, open, CreateMode.PERSISTENT));
        step("create under ephemeral", () -> zk1.create("/j/ephemeral/x", null, open, CreateMode.PERSISTENT));
        step("create ttl too large", () -> zk1.create("/j/ttlbig", null, open, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 1L << 41));
        step("create null data", () -> zk1.create("/j/null", null, open, CreateMode.PERSISTENT));
        step("create empty ACL", () -> zk1.create("/j/noacl", null, new ArrayList<>(), CreateMode.PERSISTENT));
        step("create bad ACL scheme", () -> zk1.create("/j/badacl", null,
            Collections.singletonList(new ACL(31, new Id("nosuch", "x"))), CreateMode.PERSISTENT));
        step("create auth ACL unauthenticated", () -> zk1.create("/j/authacl", null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        step("create in /zookeeper", () -> zk1.create("/zookeeper/x", null, open, CreateMode.PERSISTENT));

        // reads
        step("exists", () -> zk1.exists("/j/persistent", false));
        step("exists missing", () -> zk1.exists("/j/missing", false));
        step("getData", () -> {
            Stat s = new Stat();
            return data(zk1.getData("/j/persistent", false, s)) + " " + stat(s);
        });
        step("getData null", () -> zk1.getData("/j/null", false, null));
        step("getData missing", () -> zk1.getData("/j/missing", false, null));
        step("getChildren", () -> {
            List<String> c = zk1.getChildren("/j", false);
            Collections.sort(c);
            return c;
        });
        step("getChildren2", () -> {
            Stat s = new Stat();
            List<String> c = zk1.getChildren("/j", false, s);
            Collections.sort(c);
            return c + " " + stat(s);
        });
        step("getChildren missing", () -> zk1.getChildren("/j/missing", false));
        step("getAllChildrenNumber /j", () -> zk1.getAllChildrenNumber("/j"));
        step("getAllChildrenNumber /", () -> zk1.getAllChildrenNumber("/"));
        step("getAllChildrenNumber missing", () -> zk1.getAllChildrenNumber("/j/missing"));
        step("getEphemerals", () -> {
            List<String> e = zk1.getEphemerals();
            Collections.sort(e);
            return e;
        });
        step("getEphemerals prefix", () -> zk1.getEphemerals("/j/ephemeral_"));
        step("getEphemerals other session", () -> zk2.getEphemerals());
        step("getACL", () -> {
            Stat s = new Stat();
            return acls(zk1.getACL("/j/persistent", s)) + " " + stat(s);
        });
        step("getACL /zookeeper", () -> zk1.getACL("/zookeeper", null));
        step("getConfig", () -> {
            Stat s = new Stat();
            return data(zk1.getConfig(false, s)) + " " + stat(s);
        });

        // writes with versions
        step("setData", () -> zk1.setData("/j/persistent", B("v1"), -1));
        step("setData version", () -> zk1.setData("/j/persistent", B("v2"), 1));
        step("setData BADVERSION", () -> zk1.setData("/j/persistent", B("v3"), 7));
        step("setData missing", () -> zk1.setData("/j/missing", B("v3"), -1));
        step("setACL digest,ip,world", () -> zk1.setACL("/j/persistent", Arrays.asList(
            new ACL(ZooDefs.Perms.ALL, new Id("digest", DigestAuthenticationProvider.generateDigest("alice:pw"))),
            new ACL(ZooDefs.Perms.READ, new Id("ip", "127.0.0.1")),
            new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN, new Id("world", "anyone"))), 0));
        step("setACL BADVERSION", () -> zk1.setACL("/j/persistent", open, 0));
        step("setACL bad ip", () -> zk1.setACL("/j/persistent", Collections.singletonList(new ACL(1, new Id("ip", "300.1.1.1"))), -1));
        step("getACL after", () -> zk1.getACL("/j/persistent", null));
        step("setData NOAUTH", () -> zk1.setData("/j/persistent", B("x"), -1));
        step("whoAmI", () -> zk1.whoAmI());
        step("addAuthInfo digest alice", () -> {
            zk1.addAuthInfo("digest", B("alice:pw"));
            return sync(zk1, "/");
        });
        step("whoAmI after auth", () -> zk1.whoAmI());
        step("setData as alice", () -> zk1.setData("/j/persistent", B("v3"), -1));
        step("create auth ACL as alice", () -> zk1.create("/j/authacl", null, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        step("getACL auth", () -> zk1.getACL("/j/authacl", null));
        step("getData NOAUTH other session", () -> zk2.getData("/j/authacl", false, null));
        step("sync", () -> sync(zk1, "/j"));
        step("sync missing", () -> sync(zk1, "/j/missing"));

        // multi and multiRead
        step("multi ok", () -> zk1.multi(Arrays.asList(
            Op.create("/j/m1", B("a"), open, CreateMode.PERSISTENT),
            Op.create("/j/m-", B("b"), open, CreateMode.PERSISTENT_SEQUENTIAL),
            Op.create("/j/mc", null, open, CreateMode.CONTAINER),
            Op.create("/j/mt", null, open, CreateMode.PERSISTENT_WITH_TTL, 60_000),
            Op.setData("/j/m1", B("c"), 0),
            Op.check("/j/m1", 1),
            Op.delete("/j/null", -1))));
        step("multi failing member", () -> zk1.multi(Arrays.asList(
            Op.create("/j/m2", B("a"), open, CreateMode.PERSISTENT),
            Op.setData("/j/m1", B("d"), 0),
            Op.delete("/j/m1", -1))));
        step("multi failing check", () -> zk1.multi(Arrays.asList(
            Op.check("/j/missing", -1),
            Op.create("/j/m3", null, open, CreateMode.PERSISTENT))));
        step("multi empty", () -> zk1.multi(new ArrayList<>()));
        step("multi nothing written", () -> zk1.exists("/j/m2", false));
        step("multiRead", () -> zk1.multi(Arrays.asList(
            Op.getChildren("/j/mc"),
            Op.getData("/j/m1"),
            Op.getData("/j/missing"),
            Op.getChildren("/j/missing"))));

        // watches: one-time, persistent, persistent recursive, and their removal
        step("exists watch missing", () -> zk1.exists("/j/w", true));
        step("getData watch", () -> zk1.getData("/j/m1", true, null));
        step("getChildren watch", () -> zk1.getChildren("/j/mc", true).size());
        step("zk2 create /j/w", () -> zk2.create("/j/w", B("w"), open, CreateMode.PERSISTENT));
        step("zk2 setData /j/m1", () -> zk2.setData("/j/m1", B("e"), -1));
        step("zk2 create /j/mc/k", () -> zk2.create("/j/mc/k", null, open, CreateMode.PERSISTENT));
        ev1.drain(3);
        Events persistent = new Events("persistent");
        Events recursive = new Events("recursive");
        stepOk("addWatch PERSISTENT", () -> zk1.addWatch("/j/w", persistent, AddWatchMode.PERSISTENT));
        stepOk("addWatch PERSISTENT_RECURSIVE", () -> zk1.addWatch("/j/mc", recursive, AddWatchMode.PERSISTENT_RECURSIVE));
        step("zk2 setData /j/w x2", () -> {
            zk2.setData("/j/w", B("1"), -1);
            return zk2.setData("/j/w", B("2"), -1);
        });
        step("zk2 create /j/w/c", () -> zk2.create("/j/w/c", null, open, CreateMode.PERSISTENT));
        step("zk2 create /j/mc/k/deep", () -> zk2.create("/j/mc/k/deep", B("d"), open, CreateMode.PERSISTENT));
        step("zk2 setData /j/mc/k/deep", () -> zk2.setData("/j/mc/k/deep", B("e"), -1));
        stepOk("zk2 delete /j/mc/k/deep", () -> zk2.delete("/j/mc/k/deep", -1));
        persistent.drain(3);
        recursive.drain(3);
        Events data = new Events("data");
        step("getData watcher object", () -> zk1.getData("/j/w", data, null));
        stepOk("removeWatches Data (checkWatches)", () -> zk1.removeWatches("/j/w", data, Watcher.WatcherType.Data, false));
        stepOk("removeWatches again NOWATCHER", () -> zk1.removeWatches("/j/w", data, Watcher.WatcherType.Data, false));
        stepOk("removeAllWatches Any /j/w", () -> zk1.removeAllWatches("/j/w", Watcher.WatcherType.Any, false));
        stepOk("removeAllWatches missing", () -> zk1.removeAllWatches("/j/missing", Watcher.WatcherType.Any, false));
        data.drain(1);
        persistent.drain(1);
        step("zk2 setData /j/w after removal", () -> zk2.setData("/j/w", B("3"), -1));
        step("sync after removal", () -> sync(zk1, "/"));
        persistent.drain(0);

        // reconfig on a standalone server
        step("reconfig", () -> {
            ZooKeeperAdmin admin = new ZooKeeperAdmin(cs, 30_000, e -> { });
            try {
                admin.addAuthInfo("digest", B("super:x"));
                return admin.reconfigure("server.9=127.0.0.1:2888:3888:participant;127.0.0.1:2181", null, null, -1, new Stat());
            } finally {
                admin.close();
            }
        });

        // deletes
        stepOk("delete BADVERSION", () -> zk1.delete("/j/m1", 9));
        stepOk("delete NOTEMPTY", () -> zk1.delete("/j/mc", -1));
        stepOk("delete missing", () -> zk1.delete("/j/missing", -1));
        stepOk("delete version", () -> zk1.delete("/j/m1", 2));

        // a server restart within the session timeout: sessions, ephemerals and watches survive
        Events zk3ev = new Events("zk3");
        ZooKeeper zk3 = connect(cs, zk3ev);
        step("zk3 getData watch (only one-time watches: setWatches)", () -> zk3.getData("/j/w", true, null));
        Events afterRestart = new Events("afterRestart");
        stepOk("addWatch PERSISTENT_RECURSIVE /j (setWatches2)", () -> zk1.addWatch("/j", afterRestart, AddWatchMode.PERSISTENT_RECURSIVE));
        step("exists watch /j/persistent_sequential0000000001", () -> zk1.exists("/j/persistent_sequential0000000001", true) != null);
        line("@@RESTART");
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
        stdin.readLine();
        ev1.awaitState(KeeperState.SyncConnected);
        ev2.awaitState(KeeperState.SyncConnected);
        zk3ev.awaitState(KeeperState.SyncConnected);
        line("reconnected: " + session(zk1.getSessionId()) + " " + session(zk2.getSessionId()) + " " + session(zk3.getSessionId()));
        step("ephemerals after restart", () -> {
            List<String> e = zk1.getEphemerals("/j");
            Collections.sort(e);
            return e;
        });
        step("data after restart", () -> zk2.getData("/j/persistent_sequential0000000001", false, null));
        step("zk2 setData /j/w after restart", () -> zk2.setData("/j/w", B("4"), -1));
        stepOk("zk2 delete /j/persistent_sequential0000000001", () -> zk2.delete("/j/persistent_sequential0000000001", -1));
        zk3ev.drain(1);
        ev1.drain(1);
        afterRestart.drain(4); // a persistent watcher also sees the connection states

        // kill -9 and restart: what was acknowledged is on disk, and the sessions live on
        step("zk2 create /j/acked", () -> zk2.create("/j/acked", B("synced"), open, CreateMode.PERSISTENT));
        step("zk1 getData watch /j/acked", () -> zk1.getData("/j/acked", true, null));
        line("@@KILL");
        stdin.readLine();
        ev1.awaitState(KeeperState.SyncConnected);
        ev2.awaitState(KeeperState.SyncConnected);
        line("reconnected after kill: " + session(zk1.getSessionId()) + " " + session(zk2.getSessionId()));
        step("getData after kill", () -> zk2.getData("/j/acked", false, null));
        step("zk1 ephemerals after kill", () -> {
            List<String> e = zk1.getEphemerals("/j");
            Collections.sort(e);
            return e;
        });
        step("zk2 setData /j/acked", () -> zk2.setData("/j/acked", B("again"), -1));
        ev1.drain(1);

        // close: the session's ephemerals go, others see NodeDeleted
        step("zk2 exists watch ephemeral", () -> zk2.exists("/j/ephemeral", true) != null);
        zk3.close();
        zk1.close();
        ev2.drain(1);
        step("ephemerals after close", () -> zk2.getEphemerals("/j"));
        step("getChildren after close", () -> {
            List<String> c = zk2.getChildren("/j", false);
            Collections.sort(c);
            return c;
        });
        step("closed client", () -> zk1.exists("/j", false));
        zk2.close();
        line("done");
    }
}
