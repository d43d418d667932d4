#include "platform/events.h"


namespace brume::platform {

std::string_view ArnService(std::string_view arn) {
  // arn:partition:service:region:account:resource
  if (arn.substr(0, 4) != "arn:") return {};
  size_t partition_end = arn.find(':', 4);
  if (partition_end == std::string_view::npos) return {};
  size_t service_end = arn.find(':', partition_end + 1);
  if (service_end == std::string_view::npos) return {};
  return arn.substr(partition_end + 1, service_end - partition_end - 1);
}

void EventDelivery::RegisterSink(std::string arn_service, Sink sink) {
  std::lock_guard lock(mutex_);
  sinks_[std::move(arn_service)] = std::move(sink);
}

void EventDelivery::UnregisterSink(std::string_view arn_service) {
  std::lock_guard lock(mutex_);
  auto it = sinks_.find(arn_service);
  if (it != sinks_.end()) sinks_.erase(it);
}

const EventDelivery::Sink* EventDelivery::FindSink(const Event& event,
                                                   std::string* service) const {
  *service = std::string(ArnService(event.target_arn));
  auto it = sinks_.find(*service);
  return it == sinks_.end() ? nullptr : &it->second;
}

Status EventDelivery::Check(const Event& event) const {
  std::function<Status(const Event&)> check;
  std::string service;
  {
    std::lock_guard lock(mutex_);
    const Sink* sink = FindSink(event, &service);
    if (sink == nullptr) {
      return Status::NotFound(service.empty()
                                  ? "'" + event.target_arn + "' is not an ARN"
                                  : "brume does not run the '" + service +
                                        "' service, or it is not enabled");
    }
    check = sink->check;
  }
  // The sink runs without the registry lock, so it may take its own locks.
  return check(event);
}

Status EventDelivery::Deliver(const Event& event) const {
  std::function<Status(const Event&)> deliver;
  std::string service;
  {
    std::lock_guard lock(mutex_);
    const Sink* sink = FindSink(event, &service);
    if (sink == nullptr) {
      return Status::NotFound("no '" + service + "' sink for " +
                              event.target_arn);
    }
    deliver = sink->deliver;
  }
  return deliver(event);
}

}  // namespace brume::platform
