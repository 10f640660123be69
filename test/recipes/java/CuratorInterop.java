// Apache Curator 5.4 (Debian's libcurator-recipes-java) driven line by line from stdin, so a
// test can make Curator's own recipes contend with ours on the same znodes. Every command
// runs on its own thread; every output line is one event: "<tag> <words...>".
//
//   mutex <path> <counterPath> <n> <threads>   threads × n acquisitions, each incrementing
//                                               the counter node (read, pause, write back)
//   latch-start <path> <id> / latch-close <id> a LeaderLatch; prints isLeader/notLeader <id>
//   atomic <path> <n>                           n DistributedAtomicLong increments
//   queue-put <path> <item...>                  one DistributedQueue put per item
//   queue-take <path> <n>                       consumes n items, printing each
//   shared-set <path> <value>                   a SharedCount set to value
//   write-lock <path> / write-unlock <path>     an InterProcessReadWriteLock's write lock
//   quit
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;

public class CuratorInterop {
  static String connectString;
  static final Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();
  static final Map<String, CountDownLatch> writeHolds = new ConcurrentHashMap<>();

  static synchronized void out(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static CuratorFramework client() throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.newClient(connectString, 10000, 5000, new RetryNTimes(20, 50));
    c.start();
    if (!c.blockUntilConnected(20, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
    return c;
  }

  static final QueueSerializer<String> TEXT = new QueueSerializer<String>() {
    public byte[] serialize(String s) { return s.getBytes(StandardCharsets.UTF_8); }
    public String deserialize(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
  };

  public static void main(String[] args) throws Exception {
    connectString = args[0];
    CuratorFramework shared = client();
    out("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split(" ");
      if (w[0].equals("quit")) break;
      new Thread(() -> {
        try {
          run(shared, w);
        } catch (Throwable t) {
          out("error " + w[0] + " " + t);
        }
      }).start();
    }
    for (LeaderLatch l : latches.values()) l.close();
    shared.close();
    System.exit(0);
  }

  static void run(CuratorFramework shared, String[] w) throws Exception {
    switch (w[0]) {
      case "mutex": {
        int n = Integer.parseInt(w[3]);
        int threads = Integer.parseInt(w[4]);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
          new Thread(() -> {
            try (CuratorFramework c = client()) {
              InterProcessMutex mutex = new InterProcessMutex(c, w[1]);
              for (int i = 0; i < n; i++) {
                mutex.acquire();
                try {
                  int v = Integer.parseInt(new String(c.getData().forPath(w[2]), StandardCharsets.UTF_8));
                  Thread.sleep(1);
                  c.setData().forPath(w[2], Integer.toString(v + 1).getBytes(StandardCharsets.UTF_8));
                } finally {
                  mutex.release();
                }
              }
            } catch (Exception e) {
              out("error mutex " + e);
            } finally {
              done.countDown();
            }
          }).start();
        }
        done.await();
        out("mutex done");
        break;
      }
      case "latch-start": {
        String id = w[2];
        LeaderLatch latch = new LeaderLatch(shared, w[1], id);
        latch.addListener(new LeaderLatchListener() {
          public void isLeader() { out("isLeader " + id); }
          public void notLeader() { out("notLeader " + id); }
        });
        latches.put(id, latch);
        latch.start();
        out("latch-started " + id);
        break;
      }
      case "latch-close": {
        latches.remove(w[1]).close(LeaderLatch.CloseMode.NOTIFY_LEADER);
        out("latch-closed " + w[1]);
        break;
      }
      case "atomic": {
        DistributedAtomicLong counter = new DistributedAtomicLong(shared, w[1], new RetryNTimes(1000, 1));
        int n = Integer.parseInt(w[2]);
        for (int i = 0; i < n; i++) {
          AtomicValue<Long> r = counter.increment();
          if (!r.succeeded()) throw new IllegalStateException("increment failed");
        }
        out("atomic done " + counter.get().postValue());
        break;
      }
      case "queue-put": {
        DistributedQueue<String> q = QueueBuilder.builder(shared, null, TEXT, w[1]).buildQueue();
        q.start();
        for (int i = 2; i < w.length; i++) q.put(w[i]);
        q.flushPuts(5, java.util.concurrent.TimeUnit.SECONDS);
        q.close();
        out("queue-put done");
        break;
      }
      case "queue-take": {
        int n = Integer.parseInt(w[2]);
        CountDownLatch taken = new CountDownLatch(n);
        QueueConsumer<String> consumer = new QueueConsumer<String>() {
          public void consumeMessage(String m) { out("queue-item " + m); taken.countDown(); }
          public void stateChanged(CuratorFramework c, ConnectionState s) {}
        };
        DistributedQueue<String> q = QueueBuilder.builder(shared, consumer, TEXT, w[1]).buildQueue();
        q.start();
        taken.await();
        q.close();
        out("queue-take done");
        break;
      }
      case "shared-set": {
        SharedCount count = new SharedCount(shared, w[1], 0);
        count.start();
        count.setCount(Integer.parseInt(w[2]));
        count.close();
        out("shared-set done");
        break;
      }
      case "write-lock": {
        // Curator's locks belong to the acquiring thread: this thread holds it until write-unlock.
        InterProcessReadWriteLock rw = new InterProcessReadWriteLock(shared, w[1]);
        CountDownLatch unlock = new CountDownLatch(1);
        writeHolds.put(w[1], unlock);
        rw.writeLock().acquire();
        out("write-locked");
        unlock.await();
        rw.writeLock().release();
        out("write-unlocked");
        break;
      }
      case "write-unlock": {
        writeHolds.remove(w[1]).countDown();
        break;
      }
      default:
        out("error unknown command " + w[0]);
    }
  }
}
