// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title FinFleet share certificate: one ERC-721 token per investment of a crowdfunding campaign.
/// @notice Token id = the investment's UUID as a 128-bit integer, so a second mint for the same
/// investment is refused. Transfers go only to verified holders and only after a one-year
/// resale lock; compliance may force a transfer (court order, recovery of a lost key) with a
/// reason that is recorded in an event. Amounts are in minor units (cents, 2 decimals).
contract ShareCertificate is ERC721, AccessControl {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");
    uint64 public constant RESALE_LOCK = 365 days;
    /// @notice 1 vote per 1,000 currency units = 100,000 cents.
    uint256 public constant MINOR_UNITS_PER_VOTE = 100_000;

    struct Certificate {
        bytes16 campaignId;
        uint256 amount;
        uint256 votingPower;
        string company;
        uint64 issuedAt;
    }

    mapping(uint256 => Certificate) private _certificates;
    mapping(address => bool) public verified;
    bool private _forcing;

    event HolderVerified(address indexed holder, bool verified);
    event CertificateMinted(
        uint256 indexed tokenId, bytes16 indexed campaignId, address indexed holder,
        uint256 amount, uint256 votingPower
    );
    event ForcedTransfer(
        uint256 indexed tokenId, address indexed from, address indexed to, string reason
    );

    error AlreadyMinted(uint256 tokenId);
    error HolderNotVerified(address holder);
    error ResaleLocked(uint256 tokenId, uint64 until);
    error ReasonRequired();

    constructor(address admin) ERC721("FinFleet Share Certificate", "FFSC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
        _grantRole(COMPLIANCE_ROLE, admin);
    }

    /// @notice Compliance marks a wallet as a verified holder (KYC passed) or revokes it.
    function setVerified(address holder, bool isVerified) external onlyRole(COMPLIANCE_ROLE) {
        verified[holder] = isVerified;
        emit HolderVerified(holder, isVerified);
    }

    /// @notice Mint the certificate of investment `investmentId` to a verified holder.
    function mint(
        address to, bytes16 campaignId, bytes16 investmentId, uint256 amount,
        string calldata company
    ) external onlyRole(ISSUER_ROLE) returns (uint256 tokenId) {
        tokenId = uint256(uint128(investmentId));
        if (_ownerOf(tokenId) != address(0)) revert AlreadyMinted(tokenId);
        if (!verified[to]) revert HolderNotVerified(to);
        uint256 votes = amount / MINOR_UNITS_PER_VOTE;
        _certificates[tokenId] = Certificate(campaignId, amount, votes, company, uint64(block.timestamp));
        _mint(to, tokenId);
        emit CertificateMinted(tokenId, campaignId, to, amount, votes);
    }

    /// @notice What the certificate records.
    function certificate(uint256 tokenId)
        external view
        returns (bytes16 campaignId, uint256 amount, uint256 votingPower, string memory company, uint64 issuedAt)
    {
        _requireOwned(tokenId);
        Certificate storage c = _certificates[tokenId];
        return (c.campaignId, c.amount, c.votingPower, c.company, c.issuedAt);
    }

    /// @notice Compliance moves a certificate (court order, lost-key recovery); reason recorded.
    function forcedTransfer(uint256 tokenId, address to, string calldata reason)
        external onlyRole(COMPLIANCE_ROLE)
    {
        if (bytes(reason).length == 0) revert ReasonRequired();
        if (!verified[to]) revert HolderNotVerified(to);
        address from = _requireOwned(tokenId);
        _forcing = true;
        _transfer(from, to, tokenId);
        _forcing = false;
        emit ForcedTransfer(tokenId, from, to, reason);
    }

    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && !_forcing) {
            if (!verified[to]) revert HolderNotVerified(to);
            uint64 until = _certificates[tokenId].issuedAt + RESALE_LOCK;
            if (block.timestamp < until) revert ResaleLocked(tokenId, until);
        }
        return super._update(to, tokenId, auth);
    }

    function supportsInterface(bytes4 interfaceId)
        public view override(ERC721, AccessControl) returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }
}
