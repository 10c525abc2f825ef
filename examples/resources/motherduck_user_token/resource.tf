# A read/write token for a service account that expires after 30 days.
resource "motherduck_user_token" "ci" {
  username    = "svc_ci"
  name        = "ci-pipeline"
  ttl         = 30 * 24 * 3600
  description = "Used by the CI pipeline to load nightly data"
}

# A read-scaling token for dashboards, valid for 90 days. Without ttl a token
# never expires (a provider token_policy with require_ttl refuses that).
resource "motherduck_user_token" "dashboards" {
  username   = "svc_reporting"
  name       = "dashboards"
  token_type = "read_scaling"
  ttl        = 90 * 24 * 3600
}

# The secret is sensitive: Terraform hides it in plan and apply output.
output "ci_token" {
  value     = motherduck_user_token.ci.token
  sensitive = true
}

output "ci_token_expires" {
  value = motherduck_user_token.ci.expire_at
}
