"""The items resource's tests."""
