# What a user's Ducklings are configured to now, whoever set it.
data "motherduck_duckling_config" "ci" {
  username = "svc_ci"
}

output "ci_read_scaling_flock_size" {
  value = data.motherduck_duckling_config.ci.read_scaling.flock_size
}
