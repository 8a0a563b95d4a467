"""services/sts"""
