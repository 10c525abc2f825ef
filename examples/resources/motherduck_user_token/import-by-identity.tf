# Terraform 1.12+ / OpenTofu 1.12+: import by resource identity instead of an ID string.
import {
  to = motherduck_user_token.adopted
  identity = {
    username = "svc_ci"
    id       = "3f0c9a4e-8a35-4f5e-9d49-0c2f3a7b1e6d"
  }
}

resource "motherduck_user_token" "adopted" {
  username = "svc_ci"
  name     = "legacy-loader"
}
