// tools/teach/serve.h: `utsim serve`'s HTTP side: cpp-httplib bound to
// 127.0.0.1 only, every request handed to the JSON API (serve_api.h) one
// at a time.  Nothing else is served: the page and its script are in the
// binary, and scenarios are read only from the folder the API was given.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "tools/teach/serve_api.h"

namespace tools {

class ServeServer {
 public:
  explicit ServeServer(const ServeApi& api);
  ~ServeServer();
  ServeServer(const ServeServer&) = delete;
  ServeServer& operator=(const ServeServer&) = delete;

  // Binds 127.0.0.1:port (0: a free port, chosen by the kernel).  Returns
  // the port, or -1 when it cannot be bound.
  int bind(int port);
  // Serves until stop() or until `*stop_flag` is set (polled).  false: it
  // could not serve.
  bool serve(const std::atomic<bool>* stop_flag = nullptr);
  // From any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tools
