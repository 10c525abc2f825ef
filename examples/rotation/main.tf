# Rotation by replacement: a 90-day token replaced once fewer than 14 days
# are left. create_before_destroy mints the new token before the old one is
# invalidated, in the same apply: a consumer still holding the old secret
# fails until it picks up the new one. To keep it valid for that time, see
# keep_previous.tf.
resource "motherduck_user_token" "loader" {
  username      = "svc_ci"
  name          = "nightly-loader"
  ttl           = 90 * 24 * 3600
  rotate_before = "336h"

  lifecycle {
    create_before_destroy = true
  }
}

# Rotation tied to another value: any change of a keeper replaces the token.
# Use a value that changes when you mean it to: a release name, a date you
# set, another resource's id. Not timestamp(): it changes on every run, so
# every apply would mint a new token. plantimestamp() is fixed within one
# plan but still differs from run to run.
variable "release" {
  type    = string
  default = "2026.11"
}

resource "motherduck_user_token" "release" {
  username = "svc_reporting"
  name     = "release-reader"
  ttl      = 180 * 24 * 3600
  keepers = {
    release = var.release
  }
}
