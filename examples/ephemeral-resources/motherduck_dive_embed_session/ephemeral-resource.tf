# Terraform 1.10+: a Dive embed session that never touches state or plan
# files. Each plan and each apply creates a new session; each expires on its
# own after 24 hours and cannot be revoked. Hand `session` to your
# application through another provider's write-only argument (Terraform
# 1.11+): see this page's "Handing the session to an application".
ephemeral "motherduck_dive_embed_session" "dashboard" {
  dive_id      = "0b6f3c1e-2a4d-4e8f-9c3b-5d7a1e2f4c6b"
  username     = "svc_dashboard"
  session_name = "sales-dashboard"

  # Optional: attach these instead of what the Dive declares, and start the
  # Dive's state keys with these values.
  required_resources = [
    { url = "md:_share/sales/0a1b2c3d-4e5f-6789-abcd-ef0123456789", alias = "sales" },
  ]
  initial_state = jsonencode({ region = "emea" })
}
