# Rotating without downtime: with keep_previous a rotation is an update in
# place. The new token becomes `token`; the one it replaces becomes
# `previous_token` and stays valid until the next rotation (or its own
# expire_at). A consumer that still holds it keeps working until it picks
# up the new one.
resource "motherduck_user_token" "dashboard" {
  username      = "svc_ci"
  name          = "dashboard"
  ttl           = 30 * 24 * 3600
  rotate_before = "168h" # rotate once fewer than 7 days are left
  keep_previous = true
}

# The consumer: whatever reads the secret (a secret store, a deployment, a
# DuckDB connection string). terraform_data stands in for it here.
#
# When to pick up the new token: any time after the apply that rotated it
# has finished, and before the token the consumer holds stops being valid.
# That is the next rotation, or the held token's own expire_at, whichever
# comes first. With rotate_before, the held token (now previous_token) has
# at most rotate_before left when it is replaced, so pick up the new token
# within 7 days of the rotation here. A consumer that reads the output after
# every apply is always in time.
#
# A pipeline takes the token after every apply that changed it, even one
# that failed later (the rotation is in state all the same):
#   terraform output -raw dashboard_token
resource "terraform_data" "dashboard_deploy" {
  triggers_replace = [motherduck_user_token.dashboard.id]
  input            = motherduck_user_token.dashboard.token
}

output "dashboard_token" {
  value     = motherduck_user_token.dashboard.token
  sensitive = true
}
