// ParameterStore: Label and Delete, the two writes besides Put.
#include <algorithm>

#include "envelope/secrets.hpp"
#include "secrets/parameter_file.h"
#include "secrets/parameter_names.h"
#include "secrets/service_audit.h"

namespace envelope::secrets {

using internal::ParameterTable;
using internal::StoredVersion;

Result<LabelResult> ParameterStore::Label(std::string_view name, int64_t version,
                                          const std::vector<std::string>& labels) {
  auto outcome = [&]() -> Result<LabelResult> {
    if (labels.empty() || labels.size() > kMaxLabelsPerVersion) {
      return MakeError(ErrorCode::invalid_argument, "ValidationException: give 1 to 10 labels");
    }
    LabelResult result;
    auto done = internal::UpdateParameterTable(
        kms_->directory(), [&](ParameterTable& table) -> Result<bool> {
          auto it = table.find(std::string(name));
          if (it == table.end()) return internal::ParameterNotFound(name);
          auto& versions = it->second.versions;
          auto target =
              version == 0
                  ? versions.end() - 1
                  : std::find_if(versions.begin(), versions.end(),
                                 [&](const StoredVersion& v) { return v.version == version; });
          if (target == versions.end()) {
            return MakeError(ErrorCode::not_found,
                             "ParameterVersionNotFound: Systems Manager could not find version " +
                                 std::to_string(version) + " of " + std::string(name) +
                                 ". Verify the version and try again.");
          }
          std::vector<std::string> valid;
          for (const std::string& label : labels) {
            if (!internal::ValidLabel(label)) {
              result.invalid_labels.push_back(label);
            } else if (std::count(target->labels.begin(), target->labels.end(), label) == 0 &&
                       std::count(valid.begin(), valid.end(), label) == 0) {
              valid.push_back(label);
            }
          }
          if (target->labels.size() + valid.size() > kMaxLabelsPerVersion) {
            return MakeError(
                ErrorCode::limit_exceeded,
                "ParameterVersionLabelLimitExceeded: A parameter version can have maximum "
                "10 labels.Move one or more labels to another version and try again.");
          }
          for (StoredVersion& v : versions) {
            std::erase_if(v.labels, [&](const std::string& l) {
              return std::count(valid.begin(), valid.end(), l) > 0;
            });
          }
          target->labels.insert(target->labels.end(), valid.begin(), valid.end());
          result.version = target->version;
          return !valid.empty();
        });
    ENVELOPE_RETURN_IF_ERROR(done);
    return result;
  }();
  std::string joined;
  for (const std::string& label : labels) joined += (joined.empty() ? "" : ",") + label;
  kms::ServiceCall call{internal::kSsmSource,
                        "LabelParameterVersion",
                        internal::kParameterResource,
                        Arn(name),
                        {{"name", std::string(name)}, {"labels", joined}}};
  if (version != 0) call.request["parameter_version"] = std::to_string(version);
  return internal::Audited(*kms_, call, std::move(outcome));
}

Result<void> ParameterStore::Delete(std::string_view name) {
  auto outcome = [&]() -> Result<void> {
    return internal::UpdateParameterTable(kms_->directory(),
                                          [&](ParameterTable& table) -> Result<bool> {
                                            if (table.erase(std::string(name)) == 0)
                                              return internal::ParameterNotFound(name);
                                            return true;
                                          });
  }();
  kms::ServiceCall call{internal::kSsmSource,
                        "DeleteParameter",
                        internal::kParameterResource,
                        Arn(name),
                        {{"name", std::string(name)}}};
  return internal::Audited(*kms_, call, std::move(outcome));
}

}  // namespace envelope::secrets
