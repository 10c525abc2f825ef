# The service accounts the other examples mint tokens for. The demo creates
# them first (they are its own configuration, applied before the examples and
# destroyed after them), then deletes them at the end.
#
# deletion_protection = false only because the demo builds everything up and
# tears it down again against a throwaway local emulator: its last step is a
# destroy. In a real configuration keep the default (true): deleting a
# service account deletes every database, share and token it owns.

resource "motherduck_service_account" "ci" {
  username            = "svc_ci"
  deletion_protection = false
}

resource "motherduck_service_account" "reporting" {
  username            = "svc_reporting"
  deletion_protection = false
}
