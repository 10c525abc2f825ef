# A service account for the CI pipeline, and a token it uses.
resource "motherduck_service_account" "ci" {
  username = "svc_pipeline"
  # deletion_protection defaults to true: any plan that would delete the
  # account (and with it every database, share and token it owns) fails.
}

resource "motherduck_user_token" "ci" {
  username = motherduck_service_account.ci.username
  name     = "ci-pipeline"
  ttl      = 30 * 24 * 3600
}

output "ci_token" {
  value     = motherduck_user_token.ci.token
  sensitive = true
}
