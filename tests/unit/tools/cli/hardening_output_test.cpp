// tests/unit/tools/cli/hardening_output_test.cpp: outputs are never lost and
// never clobber, and signals are honoured while input is opened
// (docs/hardening.md "Output" and "SIGINT and SIGTERM").
//
// - `-o FILE` replaces a regular file atomically, keeping its permission
//   bits, owner and group; refuses a symbolic link, a device, a FIFO, a
//   socket, a directory, a file with several hard links, a file the user
//   could not write, a file whose owner it could not keep; writes through
//   the first ones with --output-through.
// - A failed write to stdout or stderr is an error: exit 2 and the errno's
//   text, on every command, whatever the command found (the real binary,
//   its stdout /dev/full).
// - SIGINT or SIGTERM while `check`, `run`, `explore` or `graph` opens or
//   reads a FIFO ends them with 130 (the real binary).
//
// Run as root (as in CI), the permission checks pass for the test process:
// the cases of another user are run in a child that drops to uid/gid 65534
// first, and skipped (GTEST_SKIP) when the test is not root, as it cannot
// make a file of another user then.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "support/cli_run.h"
#include "tools/cli/cli.h"
#include "tools/cli/input.h"
#include "tools/export/format.h"
#include "tools/teach/step.h"

namespace fs = std::filesystem;

namespace {

using namespace std::chrono_literals;
using testcli::cli;
using testcli::read;
using testcli::Result;
using testcli::show;

const fs::path kRoot = UTSIM_SOURCE_DIR;

using testcli::kQuick;

// The same, expecting the wrong status: every command that judges it finds
// a failure (exit 1).
constexpr const char* kFailing = R"({
  "utsim": 1, "name": "failing", "summary": "a child exits 3, and 4 is expected",
  "tasks": [{"name": "P", "program": [
    {"fork": {"child": "C", "program": [{"exit": 3}]}},
    {"waitpid": {"pid": "C"}, "expect": {"exited": 4}}]}],
  "explore": {"max_schedules": 3}
})";

auto write_text(const std::string& text) {
  return [text](std::ostream& o) { o << text; };
}

// The built utsim, beside this test binary's folder (tests/CMakeLists.txt
// builds it with the unit tests); UTSIM_TEST_BINARY names another, e.g. an
// older build, to see which of these tests it fails.
fs::path utsim_binary() {
  if (const char* other = std::getenv("UTSIM_TEST_BINARY"); other && *other) return other;
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "tools/utsim";
}

// How to start the real binary: stdin /dev/null; stdout to a file (opened
// for writing, created) or to a descriptor; stderr to a file.  SIGINT,
// SIGTERM and SIGPIPE start at their defaults (a test runner may ignore
// them, and ignored signals stay ignored across exec), unless told.
struct Spawn {
  std::vector<std::string> args;
  std::string out = "/dev/null";
  int out_fd = -1;
  std::string err = "/dev/null";
  bool ignore_sigpipe = false;
};

pid_t spawn(const Spawn& s) {
  const std::string bin = utsim_binary().string();
  std::vector<std::string> words{"utsim"};
  words.insert(words.end(), s.args.begin(), s.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child: only async-signal-safe calls from here.
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = s.out_fd >= 0 ? s.out_fd : ::open(s.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(s.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGPIPE, s.ignore_sigpipe ? SIG_IGN : SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(bin.c_str(), argv.data());
  ::_exit(127);
}

// The child's wait status, or nullopt when it did not end within `limit`
// (it is then killed).
std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// A line of /proc/PID/status ("SigCgt:\t...") or "".
std::string proc_status(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string l; std::getline(in, l);)
    if (l.rfind(key + ":", 0) == 0) return l.substr(key.size() + 1);
  return "";
}

// Waits until the child runs utsim (exec done) and sleeps in a system call
// (the open or read of the FIFO), with its SIGINT handler installed when
// `handler`; then ~200 ms more, as a user would take to press Ctrl-C.
void wait_until_blocked(pid_t pid, bool handler) {
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    std::error_code ec;
    const bool execd = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).filename() == "utsim";
    const bool sleeping = proc_status(pid, "State").find('S') != std::string::npos;
    const std::string cgt = proc_status(pid, "SigCgt");  // "\t0000000000004002": caught signals, a hex mask
    const bool caught = !handler || (cgt.size() > 1 && (std::stoull(cgt.substr(1), nullptr, 16) >> (SIGINT - 1)) & 1);
    if (execd && sleeping && caught) break;
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(200ms);
}

bool is_root() { return ::geteuid() == 0; }

class HardeningOutput : public testcli::TempDirTest {
 protected:
  HardeningOutput() : TempDirTest("utsim-output") {}
  void SetUp() override {
    TempDirTest::SetUp();
    quick_ = write("quick.json", kQuick);
    failing_ = write("failing.json", kFailing);
  }

  // The names in the test's folder, sorted (temporaries left behind show).
  std::vector<std::string> names(const fs::path& dir) const {
    std::vector<std::string> n;
    for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
    std::sort(n.begin(), n.end());
    return n;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs `body` in a child process whose ids are 65534 (nobody); the
  // child's exit code is the number of failed checks.  Skips the test when
  // not root, or when the ids cannot be changed here.
  void as_nobody(const std::function<int()>& body) {
    if (!is_root()) GTEST_SKIP() << "needs root to make the files of another user";
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(77);
      const int failures = body();
      std::fflush(nullptr);  // the failures gtest printed
      ::_exit(failures);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << describe(status);
    if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot change uid here";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "checks failed in the child as uid 65534 (their messages above)";
  }

  std::string quick_, failing_;
};

// ---- -o FILE: what is replaced, what is refused -----------------------------------------

TEST_F(HardeningOutput, ASymlinkIsRefusedAndNeitherItNorItsTargetChanges) {
  const fs::path target = dir_ / "target.json", link = dir_ / "link.json";
  write("target.json", "old\n");
  fs::create_symlink("target.json", link);

  const std::string why = tools::write_file_atomic(link.string(), write_text("new\n"));
  EXPECT_NE(why.find(link.string()), std::string::npos) << why;
  EXPECT_NE(why.find("symbolic link"), std::string::npos) << why;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "target.json");
  EXPECT_EQ(read(target), "old\n");

  // Through the command line: exit 2, the message names the path and the flag.
  const Result r = cli({"explore", quick_, "--json", "-o", link.string()});
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("utsim: refusing to replace " + link.string() + ": it is a symbolic link"), std::string::npos)
      << show(r);
  EXPECT_NE(r.err.find("--output-through"), std::string::npos) << show(r);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(target), "old\n");
  EXPECT_EQ(names(dir_), (std::vector<std::string>{"failing.json", "link.json", "quick.json", "target.json"}));
}

TEST_F(HardeningOutput, OutputThroughWritesTheLinksTargetAndKeepsTheLink) {
  const fs::path target = dir_ / "target.json", link = dir_ / "link.json";
  write("target.json", "old\n");
  fs::create_symlink("target.json", link);
  ::chmod(target.c_str(), 0640);

  EXPECT_EQ(tools::write_file_atomic(link.string(), write_text("new\n"), tools::OutputMode::kThrough), "");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(target), "new\n");

  const Result r = cli({"explore", quick_, "--json", "-o", link.string(), "--output-through"});
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "target.json");
  EXPECT_EQ(nlohmann::json::parse(read(target)).at("scenario"), "quick");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // written in place: the file is the same

  // The flag needs -o (but for report, whose -o has a default).
  EXPECT_EQ(cli({"explore", quick_, "--output-through"}).code, 2);
}

TEST_F(HardeningOutput, FifosDevicesSocketsAndDirectoriesAreRefused) {
  const fs::path fifo = dir_ / "pipe", sock = dir_ / "sock", folder = dir_ / "folder";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_directory(folder);
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.string().size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  const std::vector<std::pair<std::string, std::string>> cases{
      {fifo.string(), "it is a FIFO"},
      {sock.string(), "it is a socket"},
      {"/dev/null", "it is a character device"},
      {folder.string(), "Is a directory"},
  };
  for (const auto& [p, kind] : cases) {
    // Refused at once: a FIFO without a reader is not even opened.
    const std::string why = tools::write_file_atomic(p, write_text("x\n"));
    EXPECT_NE(why.find(p), std::string::npos) << why;
    EXPECT_NE(why.find(kind), std::string::npos) << why;
    const Result r = cli({"run", quick_, "--trace", "json", "-o", p});
    EXPECT_EQ(r.code, 2) << p << '\n' << show(r);
    EXPECT_NE(r.err.find(kind), std::string::npos) << show(r);
  }
  ::close(s);
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_TRUE(fs::is_socket(sock));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_TRUE(fs::is_empty(folder));
  // A directory is refused with the flag too.
  EXPECT_EQ(cli({"run", quick_, "--trace", "json", "-o", folder.string(), "--output-through"}).code, 2);
  EXPECT_EQ(names(dir_), (std::vector<std::string>{"failing.json", "folder", "pipe", "quick.json", "sock"}));
}

TEST_F(HardeningOutput, OutputThroughWritesIntoAFifoAndDevNull) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read(fifo); });
  const Result r = cli({"run", quick_, "--trace", "json", "-o", fifo.string(), "--output-through"});
  reader.join();
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(got.find("\"event\""), std::string::npos) << got;
  EXPECT_TRUE(fs::is_fifo(fifo));

  const Result n = cli({"graph", quick_, "-o", "/dev/null", "--output-through"});
  EXPECT_EQ(n.code, 0) << show(n);
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

// Run by hand as root, `explore -o /dev/stdout` once replaced /dev/stdout with
// a plain file.  The refusal is tested on a link of our own to the same
// place (a regression then breaks nothing of the machine's); the flag on
// /dev/stdout itself, its output in order with the rest of stdout.
TEST_F(HardeningOutput, DevStdoutIsRefusedUnlessOutputThrough) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  const fs::path link = dir_ / "stdout";
  fs::create_symlink("/proc/self/fd/1", link);
  const std::string out = path("out.txt"), err = path("err.txt");

  pid_t pid = spawn({{"run", quick_, "--trace", "json", "-o", link.string()}, out, -1, err});
  std::optional<int> st = wait_for(pid, 60s);
  ASSERT_TRUE(st);
  EXPECT_EQ(describe(*st), "exit 2") << read(err);
  EXPECT_NE(read(err).find("it is a symbolic link"), std::string::npos) << read(err);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(out), "");

  pid = spawn({{"run", quick_, "--trace", "json", "-o", "/dev/stdout", "--output-through"}, out, -1, err});
  st = wait_for(pid, 60s);
  ASSERT_TRUE(st);
  EXPECT_EQ(describe(*st), "exit 0") << read(err);
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));
  // The trace, then the summary after it (not written over its start).
  const std::string text = read(out);
  EXPECT_EQ(text.rfind("{\"", 0), 0u) << text;
  const std::size_t summary = text.find("scenario:      quick");
  ASSERT_NE(summary, std::string::npos) << text;
  EXPECT_EQ(text.find("\"event\"", summary), std::string::npos) << text;
  EXPECT_GT(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(summary), '\n'), 3) << text;
}

// The temporary is created afresh (O_EXCL, O_NOFOLLOW): a link planted under
// its name is removed, not written through.
TEST_F(HardeningOutput, ALinkPlantedAtTheTemporarysNameIsNotFollowed) {
  const fs::path p = dir_ / "out.json", victim = dir_ / "victim";
  write("victim", "precious\n");
  fs::create_symlink(victim, p.string() + ".tmp." + std::to_string(::getpid()));
  EXPECT_EQ(tools::write_file_atomic(p.string(), write_text("new\n")), "");
  EXPECT_EQ(read(p), "new\n");
  EXPECT_EQ(read(victim), "precious\n");
  EXPECT_EQ(names(dir_), (std::vector<std::string>{"failing.json", "out.json", "quick.json", "victim"}));
}

TEST_F(HardeningOutput, AHardLinkedFileIsRefusedUnlessOutputThrough) {
  const fs::path a = dir_ / "a.json", b = dir_ / "b.json";
  write("a.json", "old\n");
  fs::create_hard_link(a, b);
  const std::string why = tools::write_file_atomic(b.string(), write_text("new\n"));
  EXPECT_NE(why.find("2 hard links"), std::string::npos) << why;
  EXPECT_EQ(read(a), "old\n");
  EXPECT_EQ(tools::write_file_atomic(b.string(), write_text("new\n"), tools::OutputMode::kThrough), "");
  EXPECT_EQ(read(a), "new\n");  // one file, two names: both see it
  EXPECT_EQ(fs::hard_link_count(a), 2u);
}

// Step mode's s FILE refuses what -o refuses, naming its own way round (s!
// FILE), not a flag step mode does not have; s! FILE writes through the link.
TEST_F(HardeningOutput, StepModeSavesThroughALinkOnlyWithSBang) {
  const fs::path target = dir_ / "target.txt", link = dir_ / "link.txt";
  write("target.txt", "old\n");
  fs::create_symlink("target.txt", link);
  const model::LoadResult loaded = model::load_scenario_text(kQuick, quick_);
  ASSERT_TRUE(loaded.scenario);
  std::istringstream keys("s " + link.string() + "\n!\ns! " + link.string() + "\nq\n");
  std::ostringstream out;
  tools::step_through(*loaded.scenario, tools::StepSetup{quick_, std::nullopt, std::nullopt}, keys, out);
  // Step mode wraps its messages at 80 columns: read them as one line.
  std::string o = out.str();
  for (std::size_t i = o.find("\n   "); i != std::string::npos; i = o.find("\n   ", i))
    o.replace(i, o.find_first_not_of(' ', i + 1) - i, " ");
  EXPECT_NE(o.find("refusing to replace " + link.string() +
                   ": it is a symbolic link, and s FILE replaces only "
                   "regular files; s! FILE writes to what the link points to"),
            std::string::npos)
      << o;
  EXPECT_EQ(o.find("--output-through"), std::string::npos) << o;
  EXPECT_NE(o.find("saved '"), std::string::npos) << o;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_NE(read(target), "old\n");  // the schedule string, through the link
  EXPECT_EQ(read(target).back(), '\n');
}

TEST_F(HardeningOutput, ReplacingKeepsPermissionsOwnerAndGroup) {
  const fs::path p = dir_ / "private.json";
  write("private.json", "old\n");
  ASSERT_EQ(::chmod(p.c_str(), 0600), 0);
  const Result r = cli({"explore", quick_, "--json", "-o", p.string()});
  EXPECT_EQ(r.code, 0) << show(r);
  struct stat st {};
  ASSERT_EQ(::lstat(p.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(nlohmann::json::parse(read(p)).at("scenario"), "quick");

  // Root replacing the file of another user: the file stays theirs.
  if (is_root()) {
    ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chmod(p.c_str(), 0444), 0);  // read-only: root may write it, as open() would let it
    ASSERT_EQ(tools::write_file_atomic(p.string(), write_text("new\n")), "");
    ASSERT_EQ(::lstat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 65534u);
    EXPECT_EQ(st.st_gid, 65534u);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
    EXPECT_EQ(read(p), "new\n");
  }

  // A new file: 0666 less the umask, as any program makes it.
  const mode_t old_mask = ::umask(027);
  EXPECT_EQ(tools::write_file_atomic(path("new.json"), write_text("x\n")), "");
  ::umask(old_mask);
  ASSERT_EQ(::lstat(path("new.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

// The replacement keeps the old file's extended attributes: a user
// attribute, and a POSIX ACL (system.posix_acl_access) that lets uid 1234
// read the report.  Skipped where the test's folder has no xattrs.
TEST_F(HardeningOutput, ReplacingKeepsExtendedAttributesAndTheAcl) {
  const fs::path p = dir_ / "shared.json";
  write("shared.json", "old\n");
  if (::setxattr(p.c_str(), "user.utsim.note", "kept", 4, 0) != 0)
    GTEST_SKIP() << "the test's folder takes no user xattrs: " << std::strerror(errno);
  // struct posix_acl_xattr_header (version 2) and its entries {tag, perm, id}:
  // USER_OBJ rw-, USER 1234 r--, GROUP_OBJ r--, MASK r--, OTHER r--.
  auto entry = [](std::uint16_t tag, std::uint16_t perm, std::uint32_t id) {
    std::string e(8, '\0');
    std::memcpy(e.data(), &tag, 2);
    std::memcpy(e.data() + 2, &perm, 2);
    std::memcpy(e.data() + 4, &id, 4);
    return e;
  };
  const std::uint32_t version = 2, none = 0xffffffffu;
  std::string acl(reinterpret_cast<const char*>(&version), 4);
  acl +=
      entry(0x01, 6, none) + entry(0x02, 4, 1234) + entry(0x04, 4, none) + entry(0x10, 4, none) + entry(0x20, 4, none);
  const bool has_acl = ::setxattr(p.c_str(), "system.posix_acl_access", acl.data(), acl.size(), 0) == 0;

  const Result r = cli({"explore", quick_, "--json", "-o", p.string()});
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(nlohmann::json::parse(read(p)).at("scenario"), "quick");
  char value[64] = {};
  ASSERT_EQ(::getxattr(p.c_str(), "user.utsim.note", value, sizeof value), 4) << std::strerror(errno);
  EXPECT_EQ(std::string(value, 4), "kept");
  if (has_acl) {
    std::string got(acl.size() + 16, '\0');
    const ssize_t n = ::getxattr(p.c_str(), "system.posix_acl_access", got.data(), got.size());
    ASSERT_GE(n, 0) << "the ACL was lost: " << std::strerror(errno);
    got.resize(static_cast<std::size_t>(n));
    EXPECT_EQ(got, acl);
  }
  EXPECT_EQ(names(dir_), (std::vector<std::string>{"failing.json", "quick.json", "shared.json"}));
}

// A file the user could not write is refused, though its directory would
// let the rename replace it (as it once did: a read-only file of root
// became a 644 file of whoever ran utsim).  As root, in a child that
// becomes uid 65534; otherwise, on a read-only file of the user's own.
TEST_F(HardeningOutput, AFileTheUserCouldNotWriteIsRefused) {
  const fs::path shared = dir_ / "shared";
  fs::create_directory(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 0777), 0);  // anyone may create and rename here
  const fs::path p = shared / "readonly.json";
  write("shared/readonly.json", "old\n");
  ASSERT_EQ(::chmod(p.c_str(), 0444), 0);
  auto check = [&] {
    int failures = 0;
    const std::string why = tools::write_file_atomic(p.string(), write_text("new\n"));
    if (why != "cannot write " + p.string() + ": Permission denied") {
      ADD_FAILURE() << why;
      ++failures;
    }
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || (st.st_mode & 07777) != 0444 || read(p) != "old\n") {
      ADD_FAILURE() << "the read-only file changed";
      ++failures;
    }
    if (names(shared) != std::vector<std::string>{"readonly.json"}) {
      ADD_FAILURE() << "a temporary was left";
      ++failures;
    }
    return failures;
  };
  if (is_root())
    as_nobody(check);
  else
    EXPECT_EQ(check(), 0);
}

// A file of another user that we may write (0666 here): a replacement would
// be ours, so it is refused; --output-through writes into it in place.
TEST_F(HardeningOutput, AnotherUsersFileIsWrittenInPlaceOrRefused) {
  const fs::path shared = dir_ / "shared";
  fs::create_directory(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 0777), 0);
  const fs::path p = shared / "theirs.json";
  write("shared/theirs.json", "old\n");
  ASSERT_EQ(::chmod(p.c_str(), 0666), 0);
  as_nobody([&] {
    int failures = 0;
    const std::string why = tools::write_file_atomic(p.string(), write_text("new\n"));
    if (why.find("refusing to replace " + p.string() + ": it belongs to uid 0 gid 0") != 0 ||
        why.find("--output-through") == std::string::npos || read(p) != "old\n") {
      ADD_FAILURE() << why;
      ++failures;
    }
    if (tools::write_file_atomic(p.string(), write_text("new\n"), tools::OutputMode::kThrough) != "" ||
        read(p) != "new\n") {
      ADD_FAILURE() << "not written through";
      ++failures;
    }
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || st.st_uid != 0 || (st.st_mode & 07777) != 0666) {
      ADD_FAILURE() << "the file changed hands";
      ++failures;
    }
    return failures;
  });
}

// ---- exit codes of lost output --------------------------------------------------------

// -o that cannot be written: exit 2 on every command, even when the command
// found a failure (which alone is 1): the user never saw the result.
TEST_F(HardeningOutput, AnUnwritableOutputFileExitsTwoOnEveryCommand) {
  ASSERT_EQ(cli({"explore", quick_, "--json", "-o", path("shard.json")}).code, 0);
  const std::string missing = path("no-such-dir/out");
  const std::vector<std::vector<std::string>> commands{
      {"run", quick_, "--trace", "json", "-o", missing},
      {"run", failing_, "--trace", "text", "-o", missing},
      {"replay", failing_, "--schedule", "", "--trace", "chrome", "-o", missing},
      {"explore", quick_, "-o", missing},
      {"explore", failing_, "--json", "-o", missing},
      {"graph", quick_, "-o", missing},
      {"graph", failing_, "-o", missing},
      {"merge", path("shard.json"), "--json", "-o", missing},
      {"report", quick_, "-o", missing},
      {"report", failing_, "-o", missing},
  };
  for (const auto& args : commands) {
    const Result r = cli(args);
    EXPECT_EQ(r.code, 2) << args[0] << ' ' << args[1] << '\n' << show(r);
    EXPECT_NE(r.err.find(missing + ".tmp."), std::string::npos) << show(r);
    EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << show(r);
  }
  // Without -o, the failing scenario is a failure (1) for those that judge it.
  EXPECT_EQ(cli({"explore", failing_}).code, 1);
  EXPECT_EQ(cli({"graph", failing_}).code, 1);
  EXPECT_EQ(cli({"run", failing_}).code, 1);
}

// stdout on a full disk: every command says so and exits 2, whatever it found.
TEST_F(HardeningOutput, EveryCommandFailsWhenStdoutIsFull) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  ASSERT_TRUE(fs::exists("/dev/full"));
  ASSERT_EQ(cli({"explore", quick_, "--json", "-o", path("shard.json")}).code, 0);
  const std::string bad = write("bad.json", "{\"utsim\": 1,");
  // Not in the model (cli_test.cpp, NotImplementedIsAnInternalError): 70 alone.
  const std::string internal = write("traceme.json", R"({
    "utsim": 1, "name": "traceme", "summary": "PTRACE_TRACEME on 2011-3x, not in the model",
    "model": {"kernel": "2011-3x"},
    "tasks": [{"name": "T", "program": [{"ptrace": {"request": "PTRACE_TRACEME"}}]}]})");
  const std::string r2 = (kRoot / "scenarios/races/r2-detach-before-stop-bug.json").string();
  const std::vector<std::vector<std::string>> commands{
      {"validate", quick_},
      {"validate", bad},  // 3 alone
      {"run", quick_},
      {"run", failing_},  // 1 alone
      {"run", quick_, "--json"},
      {"run", quick_, "--trace", "json"},
      {"run", quick_, "--trace", "text"},
      {"replay", quick_, "--schedule", ""},
      {"replay", quick_, "--schedule", "zz"},  // 4 alone: diverged
      {"check", quick_},
      {"check", quick_, "--json"},
      {"check", failing_},
      {"check", internal, "--max-schedules", "3"},
      {"explore", quick_},
      {"explore", quick_, "--json"},
      {"graph", quick_},
      {"explain", quick_},
      {"shrink", r2, "--schedule", "abcaab3ccbc5bcbcaabaab"},
      {"list"},
      {"list", "--bugs"},
      {"merge", path("shard.json")},
      {"report", quick_, "-o", path("report.html")},
      {"step", quick_},
      {"--help"},
      {"--version"},
  };
  const std::string err = path("err.txt");
  for (const auto& args : commands) {
    std::string cmd;
    for (const std::string& a : args) cmd += a + ' ';
    const pid_t pid = spawn({args, "/dev/full", -1, err});
    const std::optional<int> st = wait_for(pid, 120s);
    ASSERT_TRUE(st) << cmd << "did not end";
    EXPECT_EQ(describe(*st), "exit 2") << cmd << '\n' << read(err);
    EXPECT_NE(read(err).find("utsim: cannot write to standard output: No space left on device"), std::string::npos)
        << cmd << '\n'
        << read(err);
  }
}

// stderr full, when it holds the result (run --trace puts its summary
// there): exit 2 too, with nowhere to say why.
TEST_F(HardeningOutput, AFullStderrIsLostOutputToo) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  for (const char* trace : {"json", "text"}) {
    const pid_t pid = spawn({{"run", quick_, "--trace", trace}, "/dev/null", -1, "/dev/full"});
    const std::optional<int> st = wait_for(pid, 60s);
    ASSERT_TRUE(st);
    EXPECT_EQ(describe(*st), "exit 2") << trace;
  }
}

// In process: run_cli checks the streams it was given, and stdout's
// failure wins over every code (here 1, a failure found).
TEST_F(HardeningOutput, RunCliChecksItsStreams) {
  std::ostringstream err;
  std::ostringstream out;
  out.setstate(std::ios::badbit);  // as a stream whose writes failed
  EXPECT_EQ(tools::run_cli({"run", failing_}, out, err), 2);
  EXPECT_NE(err.str().find("utsim: cannot write to standard output: write error"), std::string::npos) << err.str();
}

// A closed pipe ends utsim as it ends any filter (SIGPIPE), or, when
// SIGPIPE is ignored, is a write error like another (exit 2, EPIPE's text).
TEST_F(HardeningOutput, AClosedPipeIsSigpipeOrExitTwo) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  const std::string err = path("err.txt");
  for (bool ignore : {false, true}) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    ::close(p[0]);  // no reader
    const pid_t pid = spawn({{"list"}, "", p[1], err, ignore});
    ::close(p[1]);
    const std::optional<int> st = wait_for(pid, 60s);
    ASSERT_TRUE(st);
    if (!ignore) {
      EXPECT_EQ(describe(*st), std::string("killed by ") + ::strsignal(SIGPIPE)) << read(err);
    } else {
      EXPECT_EQ(describe(*st), "exit 2") << read(err);
      EXPECT_NE(read(err).find("utsim: cannot write to standard output: Broken pipe"), std::string::npos) << read(err);
    }
  }
}

// A write blocked on a pipe nobody reads: SIGINT abandons it (EINTR), and
// the output is lost (exit 2, the errno's text).
TEST_F(HardeningOutput, AWriteToAStalledPipeIsAbandonedOnSigint) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  const std::string big = write("big.json", R"({
    "utsim": 1, "name": "big", "summary": "a long trace",
    "tasks": [{"name": "P", "program": [{"loop": {"times": 5000, "do": [{"syscall": "getpid"}]}}]}]
  })");
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  const std::string err = path("err.txt");
  const pid_t pid = spawn({{"run", big, "--trace", "json"}, "", p[1], err});
  ::close(p[1]);
  wait_until_blocked(pid, true);  // in write(): the pipe is full
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const std::optional<int> st = wait_for(pid, 5s);
  ::close(p[0]);
  ASSERT_TRUE(st) << "still running 5 s after SIGINT";
  EXPECT_EQ(describe(*st), "exit 2") << read(err);
  EXPECT_NE(read(err).find("utsim: cannot write to standard output: Interrupted system call"), std::string::npos)
      << read(err);
}

// ---- signals while input is opened or read --------------------------------------------

// `check FIFO` with no writer: SIGINT (or SIGTERM) ends it, exit 130, the
// file reported not checked.  So do run, explore and graph, which install
// their handler before they load.
TEST_F(HardeningOutput, SignalsInterruptTheOpeningOfAFifo) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  const fs::path fifo = dir_ / "in.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string out = path("out.txt"), err = path("err.txt");
  struct Case {
    std::vector<std::string> args;
    int sig;
  };
  const std::vector<Case> cases{
      {{"check", fifo.string()}, SIGINT},
      {{"check", fifo.string(), "--json"}, SIGINT},
      {{"check", fifo.string()}, SIGTERM},
      {{"run", fifo.string()}, SIGINT},
      {{"explore", fifo.string()}, SIGINT},
      {{"graph", fifo.string()}, SIGTERM},
      {{"replay", fifo.string(), "--schedule", ""}, SIGINT},
  };
  for (const Case& c : cases) {
    const std::string what = c.args[0] + (c.args.size() > 2 ? " " + c.args[2] : "") + " + " + ::strsignal(c.sig);
    const pid_t pid = spawn({c.args, out, -1, err});
    wait_until_blocked(pid, true);
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(pid, c.sig), 0);
    const std::optional<int> st = wait_for(pid, 5s);
    ASSERT_TRUE(st) << what << ": still running 5 s after the signal";
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 5s);
    EXPECT_EQ(describe(*st), "exit 130") << what << '\n' << read(err);
    if (c.args[0] == "check" && c.args.size() == 3) {
      const nlohmann::json doc = nlohmann::json::parse(read(out));
      EXPECT_EQ(doc["scenarios"][0]["verdict"], "skipped") << doc.dump(2);
      EXPECT_EQ(doc["summary"]["interrupted"], true);
      EXPECT_EQ(doc["summary"]["exit_code"], 130);
    } else if (c.args[0] == "check") {
      EXPECT_NE(read(out).find("(interrupted: 1 not checked)"), std::string::npos) << read(out);
    } else {
      EXPECT_EQ(read(err), "utsim: " + fifo.string() + ": interrupted while reading it\n");
    }
  }
  // Interrupted, and its report lost: the lost output wins (2 over 130).
  const pid_t pid = spawn({{"check", fifo.string()}, "/dev/full", -1, err});
  wait_until_blocked(pid, true);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const std::optional<int> st = wait_for(pid, 5s);
  ASSERT_TRUE(st) << "still running 5 s after SIGINT";
  EXPECT_EQ(describe(*st), "exit 2") << read(err);
  EXPECT_NE(read(err).find("No space left on device"), std::string::npos) << read(err);
}

// FIFOs are still read, as `utsim run <(generate)` needs.
TEST_F(HardeningOutput, AScenarioIsReadFromAFifo) {
  const fs::path fifo = dir_ / "in.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const char* cmd : {"run", "check", "validate"}) {
    std::thread writer([&] { std::ofstream(fifo) << kQuick; });
    const Result r = cli({cmd, fifo.string()});
    writer.join();
    EXPECT_EQ(r.code, 0) << cmd << '\n' << show(r);
  }
}

// A writer that opened the FIFO and never writes: the read is interrupted.
// validate has no handler: SIGINT ends it at once, as it ends any program.
TEST_F(HardeningOutput, SignalsInterruptTheReadingOfAFifo) {
  ASSERT_TRUE(fs::exists(utsim_binary())) << utsim_binary();
  const fs::path fifo = dir_ / "in.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int writer = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // a writer, without blocking (Linux)
  ASSERT_GE(writer, 0);
  const std::string out = path("out.txt"), err = path("err.txt");
  for (const char* cmd : {"check", "run", "validate"}) {
    const bool handler = std::string(cmd) != "validate";
    const pid_t pid = spawn({{cmd, fifo.string()}, out, -1, err});
    wait_until_blocked(pid, handler);
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    const std::optional<int> st = wait_for(pid, 5s);
    ASSERT_TRUE(st) << cmd << ": still running 5 s after SIGINT";
    EXPECT_EQ(describe(*st), handler ? std::string("exit 130") : std::string("killed by ") + ::strsignal(SIGINT))
        << cmd << '\n'
        << read(err);
  }
  ::close(writer);
}

// The reader the CLI uses says what model::load_scenario_file says.
TEST_F(HardeningOutput, TheInterruptibleReaderMatchesTheLoader) {
  model::LoadLimits small;
  small.max_bytes = 64;
  const std::string big = write("big.json", std::string(100, ' '));
  const std::vector<std::string> files{
      quick_, failing_, write("bad.json", "{\"utsim\": 1,"), big, path("missing.json"), dir_.string()};
  for (const std::string& f : files) {
    const model::LoadResult want = model::load_scenario_file(f, small);
    const tools::InputResult got = tools::load_scenario_interruptible(f, nullptr, small);
    EXPECT_FALSE(got.interrupted);
    EXPECT_EQ(got.loaded.ok(), want.ok()) << f;
    ASSERT_EQ(got.loaded.errors.size(), want.errors.size()) << f;
    for (std::size_t i = 0; i < want.errors.size(); ++i) {
      const model::ScenarioError &g = got.loaded.errors[i], &w = want.errors[i];
      EXPECT_EQ(g.id, w.id) << f;
      EXPECT_EQ(g.pointer, w.pointer) << f;
      EXPECT_EQ(g.message.substr(0, 20), w.message.substr(0, 20)) << f;
    }
  }
  // A stop flag already set: nothing is read.
  std::atomic<bool> stop{true};
  EXPECT_TRUE(tools::load_scenario_interruptible(quick_, &stop).interrupted);
}

}  // namespace
