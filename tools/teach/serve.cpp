// tools/teach/serve.cpp: the HTTP server of `utsim serve` (serve.h) on
// cpp-httplib (Debian's libcpp-httplib-dev).  Every route goes to
// ServeApi::handle, under one mutex: a run is cheap, and the model needs no
// reason to be thread-safe.
#include "tools/teach/serve.h"

#include <chrono>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <sys/socket.h>

namespace tools {

struct ServeServer::Impl {
  explicit Impl(const ServeApi& a) : api(a) {}
  const ServeApi& api;
  httplib::Server http;
  std::mutex lock;

  void answer(const httplib::Request& req, httplib::Response& res) {
    ServeRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.params.emplace(k, v);  // a repeated parameter: its first value
    ServeResponse out;
    {
      std::lock_guard<std::mutex> g(lock);
      out = api.handle(r);
    }
    res.status = out.status;
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(out.body, out.content_type.c_str());
  }
};

ServeServer::ServeServer(const ServeApi& api) : impl_(std::make_unique<Impl>(api)) {
  httplib::Server& h = impl_->http;
  Impl* im = impl_.get();
  const auto route = [im](const httplib::Request& req, httplib::Response& res) { im->answer(req, res); };
  h.Get(".*", route);
  h.Post(".*", route);
  h.Put(".*", route);
  h.Patch(".*", route);
  h.Delete(".*", route);
  h.Options(".*", route);
  // What httplib refuses itself (a malformed request line, a body too
  // large) gets a JSON body too.
  h.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    res.set_content(
        R"({"error":{"id":"serve.E003","status":)" + std::to_string(res.status) +
            R"(,"title":"a parameter is missing or malformed","message":"the request was refused by the HTTP layer"}})"
            "\n",
        "application/json");
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":{"id":"serve.E099","status":500,"title":"internal error","message":"internal error"}})"
                    "\n",
                    "application/json");
  });
  // SO_REUSEADDR (a restart binds again at once) but not httplib's default
  // SO_REUSEPORT, with which a second server on the same port would share
  // its connections instead of being refused (cli.E008).
  h.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  h.set_payload_max_length(64 * 1024);
  h.set_keep_alive_max_count(100);
}

ServeServer::~ServeServer() { stop(); }

int ServeServer::bind(int port) {
  httplib::Server& h = impl_->http;
  if (port == 0) return h.bind_to_any_port("127.0.0.1");
  return h.bind_to_port("127.0.0.1", port) ? port : -1;
}

bool ServeServer::serve(const std::atomic<bool>* stop_flag) {
  std::atomic<bool> done{false};
  std::thread watch;
  // Polled, and stop() said again until it is heard: a signal that comes
  // before httplib has started listening would otherwise be lost.
  if (stop_flag)
    watch = std::thread([&] {
      while (!done.load()) {
        if (stop_flag->load()) impl_->http.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  const bool ok = impl_->http.listen_after_bind();
  done = true;
  if (watch.joinable()) watch.join();
  return ok;
}

void ServeServer::stop() { impl_->http.stop(); }

}  // namespace tools
