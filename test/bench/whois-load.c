// WHOIS load: CONCURRENCY clients, each opening one connection per query (as port-43 clients do),
// for SECONDS; prints a JSON summary line and the latency histogram (microseconds:count, as
// latency.ts reads it). A query that takes longer than 5 s counts as an error, as wrk's --timeout.
// Written in C for the reason wrk is: a generator in Node used about 100 µs of CPU a query, twice
// this one's, on the two cores it shares with the server (test/bench/HISTORY.md, AF's day).
//
// usage: whois-load HOST PORT NAMES_FILE SECONDS CONCURRENCY   (built by run.ts with cc -O2)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_US 5000000LL
#define MAX_NAME 253

struct client {
  int fd; // -1 between queries, or when no socket could be had (tried again at the next sweep)
  long long started_us;
  long long bytes;
  int sent;
  int stopped; // the time is up and its last query ended
};

static char **names;
static size_t name_count;
static struct sockaddr_in server;
static int poller;
static unsigned *histogram; // index: whole microseconds, up to TIMEOUT_US
static long long requests, errors;
static long long deadline_us;
static int active; // clients not stopped

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void start_query(struct client *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  c->started_us = now_us();
  c->bytes = 0;
  c->sent = 0;
  if (c->fd < 0) {
    errors++; // out of descriptors, say: the sweep tries again
    return;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // a refused or failed connect shows up as an error event, handled like any other
  connect(c->fd, (struct sockaddr *)&server, sizeof server);
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
  epoll_ctl(poller, EPOLL_CTL_ADD, c->fd, &ev);
}

/** sends the query once connected; false when the connection failed */
static int send_query(struct client *c) {
  int failed = 0;
  socklen_t size = sizeof failed;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &failed, &size);
  if (failed) return 0;
  char line[MAX_NAME + 3];
  int length = snprintf(line, sizeof line, "%s\r\n", names[(size_t)rand() % name_count]);
  if (send(c->fd, line, (size_t)length, MSG_NOSIGNAL) != length) return 0;
  c->sent = 1;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
  epoll_ctl(poller, EPOLL_CTL_MOD, c->fd, &ev);
  return 1;
}

/** reads what has arrived: 1 once the server closed after answering, -1 on failure, 0 for more */
static int read_answer(struct client *c) {
  static char buffer[65536];
  for (;;) {
    ssize_t n = read(c->fd, buffer, sizeof buffer);
    if (n > 0) c->bytes += n;
    else if (n == 0) return c->bytes > 0 ? 1 : -1;
    else return errno == EAGAIN ? 0 : -1;
  }
}

static void finish(struct client *c, int answered) {
  long long took = now_us() - c->started_us;
  if (answered && took <= TIMEOUT_US) {
    histogram[took]++;
    requests++;
  } else errors++;
  close(c->fd); // also takes it out of the epoll set
  c->fd = -1;
}

/** after a query ended, or when no socket could be had: another, or stop once the time is up */
static void next_query(struct client *c, long long now) {
  if (now < deadline_us) start_query(c);
  else {
    c->stopped = 1;
    active--;
  }
}

static void read_names(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) {
    perror(file);
    exit(2);
  }
  size_t capacity = 1024;
  names = malloc(capacity * sizeof *names);
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    size_t length = strcspn(line, "\r\n");
    if (length == 0 || length > MAX_NAME) continue;
    line[length] = 0;
    if (name_count == capacity) names = realloc(names, (capacity *= 2) * sizeof *names);
    names[name_count++] = strdup(line);
  }
  fclose(f);
  if (name_count == 0) {
    fprintf(stderr, "%s: no names\n", file);
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: whois-load HOST PORT NAMES_FILE SECONDS CONCURRENCY\n");
    return 2;
  }
  read_names(argv[3]);
  server.sin_family = AF_INET;
  server.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
    fprintf(stderr, "%s: not an IPv4 address\n", argv[1]);
    return 2;
  }
  int concurrency = atoi(argv[5]);
  histogram = calloc(TIMEOUT_US + 1, sizeof *histogram); // untouched pages cost nothing
  srand((unsigned)(getpid() ^ now_us()));
  poller = epoll_create1(0);

  struct client *clients = calloc((size_t)concurrency, sizeof *clients);
  long long started = now_us();
  deadline_us = started + (long long)(atof(argv[4]) * 1e6);
  for (int i = 0; i < concurrency; i++) start_query(&clients[i]);
  active = concurrency;
  struct epoll_event events[256];
  long long last_sweep = started;
  while (active > 0) {
    int ready = epoll_wait(poller, events, 256, 100);
    for (int i = 0; i < ready; i++) {
      struct client *c = events[i].data.ptr;
      int outcome = 0; // 1 answered, -1 failed
      if (!c->sent && (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        outcome = send_query(c) ? 0 : -1;
      if (outcome == 0 && c->sent) outcome = read_answer(c);
      if (outcome == 0) continue;
      finish(c, outcome == 1);
      next_query(c, now_us());
    }
    long long now = now_us();
    if (now - last_sweep < 100000) continue;
    last_sweep = now;
    for (int i = 0; i < concurrency; i++) {
      struct client *c = &clients[i];
      if (c->stopped) continue;
      if (c->fd >= 0) {
        if (now - c->started_us <= TIMEOUT_US) continue;
        finish(c, 0);
      }
      next_query(c, now);
    }
  }
  printf("{\"requests\":%lld,\"seconds\":%.3f,\"errors\":%lld}\n", requests,
         (double)(now_us() - started) / 1e6, errors);
  const char *separator = "";
  for (long long us = 0; us <= TIMEOUT_US; us++) {
    if (!histogram[us]) continue;
    printf("%s%lld:%u", separator, us, histogram[us]);
    separator = ",";
  }
  printf("\n");
  return 0;
}
