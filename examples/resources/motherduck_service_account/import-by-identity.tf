# Terraform 1.12+: import by resource identity.
import {
  to = motherduck_service_account.ci
  identity = {
    username = "svc_pipeline"
  }
}
