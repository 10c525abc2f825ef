# Size the Ducklings of a pipeline's service account. Destroy puts back the
# configuration the account had before Terraform took it over.
resource "motherduck_duckling_config" "pipeline" {
  username = "svc_pipeline"

  read_write = {
    instance_size    = "standard"
    cooldown_seconds = 300
  }

  # Read-scaling tokens of this account run on up to 4 Ducklings. The
  # cooldown is left out: MotherDuck's default is used and recorded.
  read_scaling = {
    instance_size = "pulse"
    flock_size    = 4
  }
}
