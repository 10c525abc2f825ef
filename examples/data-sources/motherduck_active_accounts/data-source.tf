# The accounts with Ducklings running right now. The answer changes by itself
# as Ducklings start and stop: read it, do not feed it into resources.
data "motherduck_active_accounts" "now" {}

output "accounts_with_running_ducklings" {
  # accounts is sensitive (it names accounts); show only the usernames.
  value = nonsensitive(data.motherduck_active_accounts.now.accounts[*].username)
}
