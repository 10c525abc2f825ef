# Terraform 1.12+: import by resource identity.
import {
  to = motherduck_duckling_config.pipeline
  identity = {
    username = "svc_pipeline"
  }
}
