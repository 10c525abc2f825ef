# The whole lifecycle of a pipeline's account in one configuration: a service
# account, its Duckling configuration, a token for it that rotates itself, and
# a read-scaling token for dashboards.

variable "deletion_protection" {
  description = "Whether the service account refuses to be destroyed. Keep true: deleting an account deletes every database, share and token it owns."
  type        = bool
  default     = true
}

resource "motherduck_service_account" "etl" {
  username            = "svc_etl"
  deletion_protection = var.deletion_protection
}

# The pipeline loads on a standard Duckling that stays up 5 minutes after its
# last query; dashboards read on up to 2 read-scaling Ducklings. Destroy puts
# back what the account held before (a new account: MotherDuck's defaults).
resource "motherduck_duckling_config" "etl" {
  username = motherduck_service_account.etl.username

  read_write = {
    instance_size    = "standard"
    cooldown_seconds = 300
  }

  read_scaling = {
    instance_size = "pulse"
    flock_size    = 2
  }
}

# A 30-day token, replaced in the plan once fewer than 7 days are left. The
# new token is minted before the old one is invalidated.
resource "motherduck_user_token" "loader" {
  username      = motherduck_service_account.etl.username
  name          = "nightly-loader"
  ttl           = 30 * 24 * 3600
  rotate_before = "168h"
  description   = "Loads the nightly batch"

  lifecycle {
    create_before_destroy = true
  }
}

# A read-scaling (read-only) token for 30 days, the most the provider's
# token_policy allows; replace it sooner by changing the keeper.
resource "motherduck_user_token" "dashboards" {
  username   = motherduck_service_account.etl.username
  name       = "dashboards"
  token_type = "read_scaling"
  ttl        = 30 * 24 * 3600
  keepers = {
    rotated_on = "2026-11-30"
  }
}

output "loader_token" {
  value     = motherduck_user_token.loader.token
  sensitive = true
}

output "loader_token_expires" {
  value = motherduck_user_token.loader.expire_at
}
