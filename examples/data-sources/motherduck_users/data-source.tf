# Every user and service account of the organization (every page of
# GET /v1/users), sorted by username and then id.
data "motherduck_users" "all" {}

# Only the service accounts that are not deprovisioned.
data "motherduck_users" "service_accounts" {
  is_service_account = true
  is_deprovisioned   = false
}

output "service_account_usernames" {
  value = data.motherduck_users.service_accounts.users[*].username
}
