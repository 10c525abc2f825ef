# Terraform 1.10+: a token that never touches state or plan files. It is
# minted when Terraform opens it and invalidated at the end of the run, once
# during plan and once during apply.
variable "admin_username" {
  type        = string
  description = "The username of the admin whose token configures the provider."
  default     = "admin"
}

ephemeral "motherduck_user_token" "session" {
  username = var.admin_username
  name     = "terraform-session"
  ttl      = 900
}

# Feed it to another provider configuration: this alias works with a
# 15-minute token instead of the long-lived admin token.
provider "motherduck" {
  alias = "session"
  token = ephemeral.motherduck_user_token.session.token
}

data "motherduck_user_tokens" "through_session" {
  provider = motherduck.session
  username = "svc_ci"
}
