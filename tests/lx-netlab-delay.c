/* lx-netlab-delay QUEUE DELAY_MS [JITTER_MS]: a delay line for the links of tests/lx-netlab, where
 * netem is missing. It takes the packets that iptables hands to NFQUEUE number QUEUE and lets each
 * go on (its verdict) DELAY_MS later, give or take a jitter that wanders within ±JITTER_MS. Packets
 * never overtake one another, as on a real line: a packet goes no earlier than the one before it.
 * The packets stay in the kernel meanwhile; only their ids pass through here. Runs until killed.
 *
 *   ip netns exec NS iptables-legacy -A INPUT -j NFQUEUE --queue-num 1 --queue-bypass
 *   ip netns exec NS lx-netlab-delay 1 75 5 & */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_HELD 65536 /* a second of a 500 Mbit/s line in full-size packets: more than enough */

typedef struct {
  uint32_t id;
  int64_t due_us;
} Held;

static Held held[MAX_HELD];
static unsigned head, count;
static int64_t delay_us, jitter_us, wander_us, last_due_us;

static int64_t
now_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (int64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* The jitter wanders a little with each packet instead of jumping: a queue somewhere filling and
 * draining, not packets shuffled. */
static int64_t
next_jitter_us (void)
{
  if (jitter_us == 0)
    return 0;
  wander_us += (rand () % 201 - 100) * jitter_us / 1000;
  if (wander_us > jitter_us)
    wander_us = jitter_us;
  if (wander_us < -jitter_us)
    wander_us = -jitter_us;
  return wander_us;
}

static int
on_packet (struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *data,
           void *unused)
{
  struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr (data);
  uint32_t id = ntohl (header->packet_id);
  int64_t due = now_us () + delay_us + next_jitter_us ();

  if (count == MAX_HELD) /* a line this full drops */
    return nfq_set_verdict (queue, id, NF_DROP, 0, NULL);
  if (due < last_due_us)
    due = last_due_us;
  last_due_us = due;
  held[(head + count) % MAX_HELD] = (Held){ id, due };
  count++;
  return 0;
}

/* Lets go every packet whose time has come; returns the milliseconds until the next, or -1. */
static int
release_due (struct nfq_q_handle *queue)
{
  int64_t now = now_us ();

  while (count > 0 && held[head].due_us <= now) {
    nfq_set_verdict (queue, held[head].id, NF_ACCEPT, 0, NULL);
    head = (head + 1) % MAX_HELD;
    count--;
  }
  if (count == 0)
    return -1;
  return (int) ((held[head].due_us - now + 999) / 1000);
}

int
main (int argc, char **argv)
{
  struct nfq_handle *handle;
  struct nfq_q_handle *queue;
  static char buffer[65536];
  struct pollfd poller;

  if (argc < 3 || argc > 4) {
    fprintf (stderr, "usage: lx-netlab-delay QUEUE DELAY_MS [JITTER_MS]\n");
    return 2;
  }
  delay_us = strtoll (argv[2], NULL, 10) * 1000;
  jitter_us = argc == 4 ? strtoll (argv[3], NULL, 10) * 1000 : 0;
  if (jitter_us > delay_us)
    jitter_us = delay_us;
  handle = nfq_open ();
  if (handle == NULL) {
    fprintf (stderr, "lx-netlab-delay: cannot open NFQUEUE (root? nfnetlink_queue?)\n");
    return 1;
  }
  queue = nfq_create_queue (handle, (uint16_t) atoi (argv[1]), on_packet, NULL);
  if (queue == NULL || nfq_set_mode (queue, NFQNL_COPY_META, 0) < 0) {
    fprintf (stderr, "lx-netlab-delay: cannot bind queue %s: %s\n", argv[1], strerror (errno));
    return 1;
  }
  nfq_set_queue_maxlen (queue, MAX_HELD);
  nfnl_rcvbufsiz (nfq_nfnlh (handle), 8 * 1024 * 1024);
  poller.fd = nfq_fd (handle);
  poller.events = POLLIN;
  for (;;) {
    int timeout = release_due (queue);
    if (poll (&poller, 1, timeout) > 0) {
      ssize_t length = recv (poller.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (length > 0)
        nfq_handle_packet (handle, buffer, (int) length);
      else if (length < 0 && errno != EAGAIN && errno != ENOBUFS)
        break;
    }
  }
  fprintf (stderr, "lx-netlab-delay: queue %s: %s\n", argv[1], strerror (errno));
  nfq_destroy_queue (queue);
  nfq_close (handle);
  return 1;
}
